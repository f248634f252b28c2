"""Faults on Dask worker processes behave as on loky: one late task costs its own slot, named, and every other
result comes back exactly once; a task's KeyboardInterrupt reaches the caller as KeyboardInterrupt, and Ctrl-C in the
caller frees the workers its tasks were running on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import dask_tasks
import pytest
import tasks
from dask_cluster import distributed, local_cluster
from interrupts import ctrl_c_after

import parallelize
from parallelize import TaskFailures, TaskTimeoutError, WorkerCrashedError, parallel_for


@pytest.fixture(scope="module")
def own_client() -> Iterator[Any]:
    # A cluster of its own: these tests kill and restart workers.
    with local_cluster(n_workers=2) as cluster, distributed.Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        yield client
        parallelize.shutdown()


def test_timeout_with_collect_returns_every_other_result_exactly_once(own_client: Any) -> None:
    delays = [0.05, 20.0, 0.05, 0.3, 0.05, 0.05]
    f = parallel_for(backend=own_client, timeout=1.0, on_error="collect")(dask_tasks.sleep_then)
    with pytest.raises(Exception) as info:
        f.map(delays)
    group = info.value
    assert group.failed_indices == [1]  # type: ignore[attr-defined]
    late = group.exceptions[0]  # type: ignore[attr-defined]
    assert isinstance(late, TaskTimeoutError) and late.task_index == 1
    assert "worker was restarted" in str(late)
    assert [r for i, r in enumerate(group.results) if i != 1] == [  # type: ignore[attr-defined]
        d for i, d in enumerate(delays) if i != 1]
    # The restarted worker is back: a full map runs on both workers again.
    assert parallel_for(backend=own_client)(dask_tasks.sleep_then).map([0.0] * 4) == [0.0] * 4


def test_keyboard_interrupt_in_a_task_reaches_the_caller_as_on_loky(own_client: Any) -> None:
    for backend in (own_client, "loky"):
        f = parallel_for(backend=backend, batch_size=1)(dask_tasks.interrupt_on)
        with pytest.raises(KeyboardInterrupt):
            f.map(range(3))
    assert parallel_for(backend=own_client)(dask_tasks.sleep_then).map([0.0, 0.0]) == [0.0, 0.0]


def executing(dask_worker: Any) -> int:
    return len(dask_worker.state.executing)


def test_ctrl_c_in_the_caller_restarts_the_workers_running_its_tasks(own_client: Any) -> None:
    f = parallel_for(backend=own_client, batch_size=1)(dask_tasks.sleep_then)
    with ctrl_c_after(1.5), pytest.raises(KeyboardInterrupt):
        f.map([30.0] * 4)
    # The workers' own count of running tasks: the scheduler forgets a cancelled task while its thread still runs.
    deadline = time.monotonic() + 20
    while any(own_client.run(executing).values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(own_client.run(executing).values()), "the interrupted tasks still occupy the workers"
    assert f.map([0.0] * 4) == [0.0] * 4


def test_a_task_that_kills_every_worker_fails_alone_and_the_others_finish(own_client: Any) -> None:
    # Each crash takes the call's scattered data down with the worker; it is sent again, so only task 2 fails.
    f = parallel_for(backend=own_client, on_error="collect", batch_size=1)(tasks.crash_on)
    with pytest.raises(TaskFailures) as info:
        f.map(range(8), bad=2)
    group = info.value
    assert group.failed_indices == [2]
    assert isinstance(group.exceptions[0], WorkerCrashedError)
    assert "kills its worker" in str(group.exceptions[0])
    assert [r for i, r in enumerate(group.results) if i != 2] == [x for x in range(8) if x != 2]
    assert parallel_for(backend=own_client)(dask_tasks.sleep_then).map([0.0] * 4) == [0.0] * 4
