"""The CPU budget: how many workers a call gets, and how many threads each may use.

One budget for all levels. The top-level call gets the usable cores (loky's ``cpu_count()``, which honours CPU
affinity, cgroup quotas and ``LOKY_MAX_CPU_COUNT``). Each process worker is started with its share written into
its environment, so that, inside it:

- BLAS/OpenMP libraries use at most the share (``OMP_NUM_THREADS`` and friends at start-up, threadpoolctl for
  libraries loaded earlier);
- a nested decorated call uses at most the share (serial when the share is one core);
- joblib-based code (scikit-learn's ``n_jobs=-1``) resolves to the share through ``LOKY_MAX_CPU_COUNT``.

Environment variables read here: ``PARALLELIZE_CPU_BUDGET`` (set by parallelize in its workers).
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterable
from typing import Any

_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS")

#: The budget of the task running in this thread, if any (thread workers and the caller during serial runs).
_task_budget: contextvars.ContextVar[int | None] = contextvars.ContextVar("parallelize_budget", default=None)
_limited = False


def machine_cpus() -> int:
    """Usable cores of this machine (loky's ``cpu_count``: affinity, cgroups, ``LOKY_MAX_CPU_COUNT``)."""
    from loky import cpu_count

    return max(1, int(cpu_count()))


def current_budget() -> int:
    """Cores available to code running here: a task's share inside a worker, else the machine's usable cores."""
    scoped = _task_budget.get()
    if scoped is not None:
        return scoped
    raw = os.environ.get("PARALLELIZE_CPU_BUDGET")
    if raw and raw.isdigit() and int(raw) > 0:
        return int(raw)
    return machine_cpus()


def is_nested() -> bool:
    """Return True inside a parallelize task (a process worker, a thread worker or a serial task)."""
    return _task_budget.get() is not None or "PARALLELIZE_CPU_BUDGET" in os.environ


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Turn ``n_jobs`` (None, -1 or N) into a worker count within the current budget when nested."""
    budget = current_budget()
    if n_jobs is None or n_jobs == -1:
        return budget
    if is_nested():
        return max(1, min(n_jobs, budget))
    return n_jobs


def share_per_worker(n_workers: int) -> int:
    """Cores each of ``n_workers`` workers may use so that together they fill the budget, at least one."""
    return max(1, current_budget() // max(1, n_workers))


def share_per_host(slots: Iterable[tuple[str, int, int]]) -> int:
    """Cores each task of a cluster may use: for each host, its usable cores divided by the task slots (worker
    threads, engines) on it; the smallest over the hosts, at least one.

    Args:
        slots: ``(host, usable cores of that host, task slots)`` per worker; a host may appear several times.
    """
    cpus: dict[str, int] = {}
    count: dict[str, int] = {}
    for host, host_cpus, threads in slots:
        cpus[host] = host_cpus
        count[host] = count.get(host, 0) + threads
    return max(1, min((cpus[h] // max(1, count[h]) for h in count), default=1))


def worker_env(n_workers: int) -> dict[str, str]:
    """Environment for process workers: BLAS caps, the nested budget and joblib's CPU count."""
    share = str(share_per_worker(n_workers))
    env = dict.fromkeys(_BLAS_VARS, share)
    env["PARALLELIZE_CPU_BUDGET"] = share
    env["LOKY_MAX_CPU_COUNT"] = share
    # loky restarts a worker whose memory grew by 300 MB, a guard against leaks. Shared arrays mapped during a
    # call count in that figure (they are released when the worker goes idle), so allow a quarter of the RAM.
    env["LOKY_MAX_MEMORY_LEAK_SIZE"] = str(max(300_000_000, _total_memory() // 4))
    return env


def _total_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def limit_worker_threads() -> None:
    """Cap BLAS/OpenMP pools of an already running worker process to its share (once per process)."""
    global _limited
    if _limited or "PARALLELIZE_CPU_BUDGET" not in os.environ:
        return
    _limited = True
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=current_budget())


_controller: Any = None
_controller_modules = -1


def limited_threads(share: int) -> Any:
    """A context manager capping BLAS/OpenMP pools in this process to ``share`` threads (threadpoolctl).

    The caller uses it to run work under a worker's limit. Inspecting the loaded libraries costs about a
    millisecond, so the controller is kept and made again only when modules were imported since.
    """
    import sys

    from threadpoolctl import ThreadpoolController

    global _controller, _controller_modules
    if _controller is None or _controller_modules != len(sys.modules):
        _controller = ThreadpoolController()
        _controller_modules = len(sys.modules)
    return _controller.limit(limits=share)


def adopt_worker_share(share: int) -> None:
    """Make this already running worker process (a Dask worker) honour ``share`` cores from now on.

    Sets what :func:`worker_env` gives loky workers at start-up (the nested budget and ``LOKY_MAX_CPU_COUNT``, so
    joblib's ``n_jobs=-1`` resolves to the share) and caps BLAS/OpenMP pools already loaded with threadpoolctl.
    Every thread of the process gets the same share, so setting process-wide state is consistent.
    """
    global _limited
    value = str(max(1, share))
    os.environ["PARALLELIZE_CPU_BUDGET"] = value
    os.environ["LOKY_MAX_CPU_COUNT"] = value
    for name in _BLAS_VARS:
        os.environ.setdefault(name, value)
    _limited = False
    limit_worker_threads()


def task_budget_token(share: int) -> contextvars.Token[int | None]:
    """Mark this thread as running a task with ``share`` cores (undo with :func:`reset_task_budget`)."""
    return _task_budget.set(share)


def reset_task_budget(token: contextvars.Token[int | None]) -> None:
    """Undo :func:`task_budget_token`."""
    _task_budget.reset(token)
