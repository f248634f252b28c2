"""A worker that dies mid-run raises WorkerCrashedError naming the tasks; the next call gets a fresh pool."""

from __future__ import annotations

import time

import pytest
import tasks

from parallelize import WorkerCrashedError, parallel_for


@pytest.mark.parametrize("how", ["exit", "sigkill", "segfault"])
def test_dead_worker_raises_worker_crashed_error_and_pool_recovers(how: str) -> None:
    def die(x: int) -> int:
        import ctypes
        import os
        import signal
        import time

        if x == 2:
            if how == "exit":
                os._exit(13)
            if how == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            ctypes.string_at(0)  # segmentation fault
        time.sleep(0.05)
        return x

    f = parallel_for(n_jobs=2, batch_size=1)(die)
    started = time.monotonic()
    with pytest.raises(WorkerCrashedError) as info:
        f.map(range(6))
    assert time.monotonic() - started < 30
    assert 2 in info.value.task_indices
    assert "task" in str(info.value)
    # The pool is rebuilt: the next call works.
    assert parallel_for(n_jobs=2, batch_size=1)(tasks.square).map(range(5)) == [0, 1, 4, 9, 16]


def test_crash_with_collect_reports_the_crashed_tasks_and_keeps_the_rest() -> None:
    f = parallel_for(n_jobs=2, batch_size=1, on_error="collect")(tasks.crash_on)
    with pytest.raises(Exception) as info:
        f.map(range(8), bad=2)
    group = info.value
    assert 2 in group.failed_indices  # type: ignore[attr-defined]
    for index, value in enumerate(group.results):  # type: ignore[attr-defined]
        if index not in group.failed_indices:  # type: ignore[attr-defined]
            assert value == index
