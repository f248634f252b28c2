"""The ipyparallel backend beyond the conformance suite: how it is reached, the core budget, broadcast arguments
sent once per engine, and faults (a late task, Ctrl-C, a task's KeyboardInterrupt, a dying engine).

These tests run on a cluster of their own, started by the backend itself (no cluster given), because they
interrupt and kill engines. The crash tests come last: they leave fewer engines behind.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask_tasks
import numpy as np
import pytest
import tasks
from interrupts import ctrl_c_after
from ipp_cluster import ipython_environment

import parallelize
from parallelize import (
    BackendUnavailableError,
    ParallelizeWarning,
    TaskFailures,
    TaskTimeoutError,
    WorkerCrashedError,
    config,
    parallel_for,
)
from parallelize._backends import ipp as ipp_module
from parallelize._backends import resolve_backend
from parallelize._scheduler.budget import machine_cpus


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    ipp_module._warned_local = False
    with ipython_environment(tmp_path_factory.mktemp("ipython-own")):
        try:
            with pytest.warns(ParallelizeWarning, match="started one on 127.0.0.1"):
                backend = resolve_backend("ipyparallel", n_jobs=None, io=False, max_concurrency=None)
            yield backend
        finally:
            parallelize.shutdown()


def engine_pids(backend: Any) -> set[int]:
    return set(backend.client[:].apply_sync(os.getpid))


def holds_spec(token: str) -> bool:
    """On an engine: whether it holds the call's spec pushed by ``share``."""
    from parallelize._backends import ipp

    return token in ipp._specs


def wait_until_idle(backend: Any, seconds: float = 15.0) -> bool:
    """True once no engine has a task queued or running (a bound, not a timing: it passes at once when idle)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = backend.client.queue_status()
        if all(v.get("queue", 0) == 0 and v.get("tasks", 0) == 0 for k, v in status.items() if k != "unassigned"):
            return True
        time.sleep(0.1)
    return False


def test_without_a_cluster_one_is_started_on_loopback_sized_to_the_machine_and_announced_once(own: Any) -> None:
    assert own.n_workers == machine_cpus()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ParallelizeWarning)
        # The same backend serves later calls: no second cluster, no second announcement.
        assert resolve_backend("ipyparallel", n_jobs=None, io=False, max_concurrency=None) is own
    pids = set(parallel_for(backend="ipyparallel", batch_size=1)(tasks.pid).map(range(8)))
    assert os.getpid() not in pids and pids <= engine_pids(own)


def test_a_client_object_is_a_backend_too(own: Any) -> None:
    f = parallel_for(backend=own.client)(tasks.square)
    assert f.map(range(20)) == [x * x for x in range(20)]
    with config(backend=own.client):
        assert parallel_for()(tasks.add).map(range(5), 1) == [x + 1 for x in range(5)]


def test_each_task_gets_its_hosts_cores_divided_by_its_engines(own: Any) -> None:
    records = parallel_for(backend=own, batch_size=1)(dask_tasks.experiment).map([0, 1])
    share = max(1, machine_cpus() // own.n_workers)
    assert [r["inner_results"] for r in records] == [[x * x for x in range(8)]] * 2
    for record in records:
        assert record["budget"] == share
        assert max(record["inner_workers"], record["joblib_n_jobs"], record["blas_threads"]) <= share


def test_broadcast_arguments_go_to_each_engine_once_per_call(own: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shares: list[Any] = []
    original = ipp_module.IPyParallelBackend.share

    def counting(self: Any, obj: Any) -> Any:
        shares.append(obj)
        return original(self, obj)

    monkeypatch.setattr(ipp_module.IPyParallelBackend, "share", counting)
    arr = np.arange(1_000_000, dtype=np.float64)  # 8 MB
    out = parallel_for(backend=own, batch_size=1)(dask_tasks.array_identity).map(range(12), arr)
    assert [v for *_, v in out] == [float(arr[i]) for i in range(12)]
    assert len(shares) == 1  # pushed once for the call, not with each of its 12 batches
    copies: dict[int, set[int]] = {}
    for pid, copy, *_ in out:
        copies.setdefault(pid, set()).add(copy)
    assert all(len(ids) == 1 for ids in copies.values())  # decoded once per engine
    assert all(own.client[:].apply_sync(holds_spec, shares[0].token))


def test_a_late_task_is_interrupted_and_its_engine_goes_on(own: Any) -> None:
    before = engine_pids(own)
    delays = [0.05, 30.0, 0.05, 0.3, 0.05, 0.05]
    f = parallel_for(backend=own, timeout=1.0, on_error="collect", batch_size=1)(dask_tasks.sleep_then)
    with pytest.raises(TaskFailures) as info:
        f.map(delays)
    group = info.value
    assert group.failed_indices == [1]
    late = group.exceptions[0]
    assert isinstance(late, TaskTimeoutError) and late.task_index == 1
    assert "interrupted" in str(late)
    assert [r for i, r in enumerate(group.results) if i != 1] == [d for i, d in enumerate(delays) if i != 1]
    assert wait_until_idle(own), "the late task still occupies its engine"
    assert engine_pids(own) == before  # interrupted, not restarted


def test_ctrl_c_in_the_caller_stops_the_running_tasks_and_keeps_the_engines(own: Any) -> None:
    before = engine_pids(own)
    f = parallel_for(backend=own, batch_size=1)(dask_tasks.sleep_then)
    with ctrl_c_after(1.5), pytest.raises(KeyboardInterrupt):
        f.map([30.0] * 4)
    assert wait_until_idle(own), "tasks kept running on the engines after Ctrl-C"
    assert engine_pids(own) == before
    assert f.map([0.0] * 4) == [0.0] * 4


def test_keyboard_interrupt_in_a_task_reaches_the_caller_as_on_loky(own: Any) -> None:
    for backend in (own, "loky"):
        f = parallel_for(backend=backend, batch_size=1)(dask_tasks.interrupt_on)
        with pytest.raises(KeyboardInterrupt):
            f.map(range(3))
    assert parallel_for(backend=own)(dask_tasks.sleep_then).map([0.0, 0.0]) == [0.0, 0.0]


def test_an_interrupt_that_reaches_the_next_task_reruns_it(own: Any) -> None:
    # The SIGINT meant for a late task can arrive just after it finished, in the engine's next task: that task is
    # run again rather than reported as interrupted. Here the interrupt is sent on purpose to a running task
    # while the backend believes it was meant for another.
    future = own.submit(dask_tasks.sleep_then, 2.0)
    deadline = time.monotonic() + 10
    engine = None
    while engine is None and time.monotonic() < deadline:
        engine = ipp_module._engine_of(future.inner) if future.inner is not None else None
        time.sleep(0.05)
    assert engine is not None
    own._interrupted[engine] = time.monotonic()
    own.client.send_signal(2, targets=[engine], block=True)
    try:
        result = future.result(timeout=30)
    except KeyboardInterrupt as exc:  # not let out: pytest would end the whole session
        pytest.fail(f"the misdirected interrupt reached the caller: {exc!r}")
    assert result == 2.0
    assert future.reruns == 1


def test_unreachable_cluster_and_bad_settings_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="ipcluster start"):
        ipp_module.IPyParallelBackend(url_file=str(tmp_path / "missing.json"), timeout=1)
    with pytest.raises(ValueError, match="profile=3"):
        config(profile=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ipyparallel\.Client"):
        ipp_module.IPyParallelBackend("tcp://127.0.0.1:1")


def test_a_dying_engine_fails_only_its_batch_and_the_others_finish(own: Any) -> None:
    engines = own.n_workers
    f = parallel_for(backend=own, on_error="collect", batch_size=1)(tasks.crash_on)
    with pytest.raises(TaskFailures) as info:
        f.map(range(8), bad=2)
    group = info.value
    assert group.failed_indices == [2]
    assert isinstance(group.exceptions[0], WorkerCrashedError)
    assert "died" in str(group.exceptions[0])
    assert [r for i, r in enumerate(group.results) if i != 2] == [x for x in range(8) if x != 2]
    time.sleep(ipp_module.INFO_SECONDS)
    assert own.n_workers == engines - 1  # ipyparallel does not restart engines
    assert parallel_for(backend=own)(tasks.square).map(range(6)) == [x * x for x in range(6)]


def test_with_every_engine_gone_a_call_fails_at_once_saying_so(own: Any) -> None:
    crash = parallel_for(backend=own, batch_size=1)(tasks.crash_on)
    while own.client.ids:
        with pytest.raises(WorkerCrashedError):
            crash.map([2], bad=2)
        time.sleep(0.5)
    with pytest.raises(WorkerCrashedError, match="no engine"):
        parallel_for(backend=own)(tasks.square).map(range(4))

