"""Tasks over ``timeout`` raise TaskTimeoutError; on processes the stuck worker is replaced and nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest
import tasks

from parallelize import TaskTimeoutError, io_bound, parallel_for


def test_stuck_process_task_times_out_and_pool_is_replaced() -> None:
    f = parallel_for(n_jobs=2, timeout=1.0)(tasks.sleep_for)
    started = time.monotonic()
    with pytest.raises(TaskTimeoutError) as info:
        f.map([0.01, 30.0, 0.01, 0.01])
    assert time.monotonic() - started < 15
    assert info.value.task_index == 1
    assert "killed and replaced" in str(info.value)
    assert parallel_for(n_jobs=2)(tasks.square).map(range(4)) == [0, 1, 4, 9]


def test_the_stuck_worker_is_dead_before_the_timeout_error_is_raised(tmp_path: Path) -> None:
    f = parallel_for(n_jobs=2, timeout=1.0)(tasks.note_pid_then_sleep)
    with pytest.raises(TaskTimeoutError):
        f.map([30.0], folder=str(tmp_path))
    pids = [int(p.stem) for p in tmp_path.glob("*.pid")]
    assert pids, "the task never started"
    # Reaped, not merely signalled: a zombie would still count as existing.
    assert [pid for pid in pids if psutil.pid_exists(pid)] == []


def test_collect_keeps_every_other_result_exactly_once() -> None:
    f = parallel_for(n_jobs=2, timeout=1.0, on_error="collect")(tasks.sleep_for)
    delays = [0.05, 20.0, 0.05, 0.3, 0.05, 0.05]
    with pytest.raises(Exception) as info:
        f.map(delays)
    group = info.value
    assert group.failed_indices == [1]  # type: ignore[attr-defined]
    assert isinstance(group.exceptions[0], TaskTimeoutError)  # type: ignore[attr-defined]
    results = group.results  # type: ignore[attr-defined]
    assert [r for i, r in enumerate(results) if i != 1] == [d for i, d in enumerate(delays) if i != 1]


def test_thread_timeout_says_the_thread_was_abandoned() -> None:
    f = io_bound(max_concurrency=4, timeout=0.3)(tasks.sleep_for)
    with pytest.raises(TaskTimeoutError, match="abandoned"):
        f.map([0.01, 2.0, 0.01])


def test_serial_backend_reports_an_overlong_task_after_it_finishes() -> None:
    f = parallel_for(backend="serial", timeout=0.05)(tasks.sleep_for)
    with pytest.raises(TaskTimeoutError):
        f.map([0.0, 0.2])


@pytest.mark.parametrize("backend", ["loky", "threads"])
def test_a_submitted_call_is_named_by_its_arguments(backend: str) -> None:
    f = parallel_for(backend=backend, n_jobs=2, timeout=0.5)(tasks.sleep_for)
    with pytest.raises(TaskTimeoutError, match=r"task 0 \(arguments \(5\.0\)\) ran longer than timeout=0\.5s"):
        f.submit(5.0).result(timeout=60)
    g = parallel_for(backend=backend, n_jobs=2)(tasks.fail_on)
    with pytest.raises(KeyError) as info:
        g.submit(4, bad=4).result(timeout=60)
    assert info.value.__notes__[-1] == "parallelize: raised by task 0 (arguments (4, bad=4))"
