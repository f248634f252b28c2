"""One core budget across layers: experiments on Dask (or loky), an inner map and scikit-learn inside each.

Every count comes from inside the running tasks: the budget the task sees, the workers its inner map would use and
the distinct threads that actually ran the inner tasks, what joblib resolves ``n_jobs=-1`` to, and the BLAS pools'
thread counts. Summed over the experiments running at once, it never exceeds the machine's cores.
"""

from __future__ import annotations

from typing import Any

import dask_tasks
import pytest
from dask_cluster import distributed, local_cluster

from parallelize import parallel_for
from parallelize._scheduler.budget import machine_cpus

pytest.importorskip("sklearn")


def busiest(record: dict[str, Any]) -> int:
    """The most threads this experiment can keep busy at once, by any layer inside it."""
    return max(record["inner_workers"], record["inner_threads"], record["joblib_n_jobs"],
               record["joblib_threading_n_jobs"], record["blas_threads"])


def check_within_cores(records: list[dict[str, Any]], running_at_once: int) -> None:
    cores = machine_cpus()
    assert [r["inner_results"] for r in records] == [[x * x for x in range(8)]] * len(records)
    for record in records:
        assert record["budget"] * running_at_once <= max(cores, running_at_once)
        assert busiest(record) <= record["budget"], record
    assert sum(busiest(r) for r in records[:running_at_once]) <= max(cores, running_at_once)


def test_experiments_on_dask_share_the_cores_with_inner_maps_and_sklearn(client: Any) -> None:
    outer = parallel_for(backend=client, batch_size=1)(dask_tasks.experiment)
    records = outer.map([0, 1])
    assert len({r["pid"] for r in records}) == 2  # both experiments ran at once, one per worker
    assert all(r["budget"] == max(1, machine_cpus() // 2) for r in records)
    check_within_cores(records, running_at_once=2)


def test_a_worker_with_spare_cores_gives_its_task_more_of_them() -> None:
    cores = machine_cpus()
    if cores < 2:
        pytest.skip("needs two cores to show a share above one")
    with local_cluster(n_workers=1) as own, distributed.Client(own, set_as_default=False) as own_client:
        records = parallel_for(backend=own_client, batch_size=1)(dask_tasks.experiment).map([0, 1])
        assert all(r["budget"] == cores for r in records)
        assert all(r["inner_workers"] == cores for r in records)  # threads: a daemonic worker has no children
        assert all(r["joblib_n_jobs"] == r["joblib_threading_n_jobs"] == cores for r in records)
        check_within_cores(records, running_at_once=1)
        import parallelize

        parallelize.shutdown()


def test_experiments_on_loky_share_the_cores_the_same_way() -> None:
    records = parallel_for(backend="loky", n_jobs=2, batch_size=1)(dask_tasks.experiment).map([0, 1])
    check_within_cores(records, running_at_once=2)
