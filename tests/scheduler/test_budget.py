"""One core budget for all levels: workers cap BLAS threads, nested calls and joblib to their share."""

from __future__ import annotations

import tasks

from parallelize import parallel_for
from parallelize._scheduler import budget


def test_nested_calls_in_process_workers_stay_within_the_workers_share() -> None:
    cores = budget.machine_cpus()
    f = parallel_for(n_jobs=cores, batch_size=1)(tasks.nested_inner_workers)
    for info in f.map(range(cores)):
        share = max(1, cores // cores)
        assert info["inner"] <= share
        assert info["inner_explicit"] <= share  # even an explicit n_jobs=8 inside resolves to the share
        assert info["joblib"] <= share  # scikit-learn's n_jobs=-1 follows LOKY_MAX_CPU_COUNT
        assert all(n <= share for n in info["blas"])  # type: ignore[union-attr]
        assert info["omp"] == str(share)
        assert info["inner_results"] == [0, 1, 4, 9, 16]


def test_single_core_share_runs_nested_work_serially() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.nested_inner_workers)
    for info in f.map(range(2)):
        if budget.machine_cpus() <= 2:
            assert info["inner_name"] == "serial"


def test_worker_env_spreads_cores_over_workers() -> None:
    env = budget.worker_env(1)
    assert env["OMP_NUM_THREADS"] == str(budget.machine_cpus())
    assert env["PARALLELIZE_CPU_BUDGET"] == env["LOKY_MAX_CPU_COUNT"]
    assert budget.worker_env(10 * budget.machine_cpus())["MKL_NUM_THREADS"] == "1"


def test_outside_a_worker_n_jobs_is_taken_as_given() -> None:
    assert budget.resolve_n_jobs(None) == budget.machine_cpus()
    assert budget.resolve_n_jobs(-1) == budget.machine_cpus()
    assert budget.resolve_n_jobs(3) == 3


def test_a_clusters_share_is_the_smallest_per_host_split_of_its_cores() -> None:
    from parallelize._scheduler.budget import share_per_host

    # host a: 8 cores over 2 workers x 2 threads -> 2; host b: 16 cores over one 4-thread worker -> 4.
    assert share_per_host([("a", 8, 2), ("a", 8, 2), ("b", 16, 4)]) == 2
    assert share_per_host([("b", 16, 4)]) == 4
    assert share_per_host([("c", 2, 4)]) == 1  # more slots than cores: still one core each
    assert share_per_host([]) == 1
