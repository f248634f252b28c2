"""After the first error, no task starts once the exception has reached the caller (README, Failures)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from parallelize import io_bound, parallel_for

RUNNING = 1.0  # how long the other tasks run: long enough that queued ones would start while we watch


def _mark_then_work(i: int, folder: str) -> int:
    with open(os.path.join(folder, str(i)), "w"):
        pass
    if i == 0:
        time.sleep(0.2)
        raise ValueError("the first task fails")
    time.sleep(RUNNING)
    return i


DECORATORS = {
    "loky-batch1": lambda: parallel_for(n_jobs=2, batch_size=1),
    "loky-auto": lambda: parallel_for(n_jobs=2),
    "threads": lambda: io_bound(max_concurrency=2),
}


@pytest.mark.parametrize("name", sorted(DECORATORS))
def test_no_task_starts_after_the_error_reached_the_caller(tmp_path: Path, name: str) -> None:
    f = DECORATORS[name]()(_mark_then_work)
    with pytest.raises(ValueError, match="the first task fails"):
        f.map(range(24), folder=str(tmp_path))
    started_at_error = {p.name for p in tmp_path.iterdir()}
    time.sleep(RUNNING + 1.5)  # every task running at the error has ended; queued ones would have started
    started_later = {p.name for p in tmp_path.iterdir()} - started_at_error
    # The README's bound: only the worker that ran the failing task was free, and it may have picked up one more
    # task between the failure and the caller seeing it (its mark can land just after we looked); nothing queued
    # starts once the caller has seen the error.
    assert len(started_later) <= 1, started_later
    # The bound the README states: what ran is at most the first window, never the whole input.
    assert "0" in started_at_error and len(started_at_error) < 24


def test_the_pool_still_runs_the_next_call_in_full(tmp_path: Path) -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(_mark_then_work)
    with pytest.raises(ValueError):
        f.map(range(8), folder=str(tmp_path))
    assert parallel_for(n_jobs=2, batch_size=1)(_mark_then_work).map(range(1, 5), folder=str(tmp_path)) == [1, 2, 3, 4]
