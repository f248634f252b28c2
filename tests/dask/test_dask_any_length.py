"""On Dask too, map mode does the same at every task length (issue 10): tasks run on the cluster's workers, the
caller's objects stay untouched, and strict workers name a lost write."""

from __future__ import annotations

import os
import warnings
from typing import Any

import lost_writes as LW
import pytest

from parallelize import ParallelizeWarning, SharedStateError, parallel_for


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    LW.seen.clear()
    LW.counts.clear()
    LW.grid[:] = 0


def _quiet(fn: Any, **options: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParallelizeWarning)
        return parallel_for(**options)(fn)


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.05])
def test_callers_objects_untouched_and_tasks_off_the_caller(client: Any, delay: float) -> None:
    decorated = _quiet(LW.append_and_square, backend=client)
    assert decorated.map(range(8), delay=delay) == [x * x for x in range(8)]
    assert LW.seen == [] and LW.counts == {} and not LW.grid.any()
    pids = {pid for _value, pid in _quiet(LW.square_and_pid, backend=client).map(range(8), delay=delay)}
    assert os.getpid() not in pids


def test_strict_dask_workers_name_the_lost_write(client: Any) -> None:
    strict = parallel_for(backend=client, strict=True)(LW.append_through_methodcaller)
    with pytest.raises(SharedStateError, match=r"changed module-level `seen` .*\(a list\); in a worker"):
        strict.map(range(4))
