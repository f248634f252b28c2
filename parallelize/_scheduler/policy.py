"""What a call's options mean on the backend chosen for it: the scheduler's policy, decided in one place.

The decorator hands over the user's :class:`~parallelize._options.Options`, the function and the backend; these
functions decide what that makes of the call. The decorator owns none of it:

- **core budget**: each task's share of the cores (the backend's own figure where it knows better, the caller's
  budget when tasks run in the caller, else an even split over the workers);
- **seeding**: which global random states a task's seed reaches (threads share one, so only ``rng()`` there);
- **timeouts**: where nothing can interrupt a task (the serial backend) the task is checked after it ran; on
  workers the scheduler's own clock stops it;
- **rate limits and retries** (``io_bound``): one limit for the call, split over process workers;
- **batch size**: ``"auto"`` learns from the workers, except for I/O tasks, which wait rather than compute and go
  one per dispatch so that every thread stays busy;
- **strict mode**: live checks for map-mode tasks on process and cluster workers (loop mode's analysis has proved
  its body already);
- **loop mode's first iterations**: on a local process pool they may run in the caller under one worker's share;
  a loop that ``seed=`` made safe is refused where tasks share one global generator (threads).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parallelize._backends.base import Backend
from parallelize._config import resolve_setting
from parallelize._errors import SharedStateError
from parallelize._options import Options
from parallelize._scheduler import budget
from parallelize._scheduler.limits import Limits, RateLimiter
from parallelize._scheduler.payload import CallSpec, plain_function

__all__ = ["batch_size_for", "call_spec", "caller_share_for", "check_loop_backend", "limits_for"]


def limits_for(options: Options) -> Limits | None:
    """The call-wide rate limit and retry policy of an ``io_bound`` function, or None."""
    if options.io and (options.rate or options.retries):
        return Limits(RateLimiter(options.rate) if options.rate else None, options.retries, options.retry_on)
    return None


def call_spec(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], backend: Backend,
              options: Options, limits: Limits | None, init_key: str, *, star: bool = False,
              star_kwargs: bool = False, loop_body: bool = False) -> CallSpec:
    """The spec of one call of ``fn`` on ``backend`` (``loop_body``: loop mode's compiled iteration)."""
    caps = backend.capabilities
    if limits is not None and caps.processes:
        limits = limits.for_workers(backend.n_workers)
    share = backend.task_budget or (
        budget.current_budget() if caps.in_caller else budget.share_per_worker(backend.n_workers))
    return CallSpec(
        fn=fn, args=args, kwargs=kwargs, star=star, star_kwargs=star_kwargs, seed=options.seed,
        init=options.init, init_key=init_key, limits=limits, budget=share,
        # Threads share one global random state, so only rng() is per task there.
        seed_globals=caps.in_caller or not caps.shares_memory,
        timeout=options.timeout if caps.in_caller else None,  # checked after the task: nothing interrupts it
        fn_filename=_source_file(fn),
        strict=not loop_body and caps.processes and bool(resolve_setting("strict", options.strict)),
    )


def batch_size_for(options: Options) -> int | None:
    """The fixed batch size of a call, or None to learn it from the workers' times."""
    if options.batch_size != "auto":
        return int(options.batch_size)
    return 1 if options.io else None  # I/O tasks wait, they don't compute: one item per dispatch


def caller_share_for(backend: Backend) -> int | None:
    """Loop mode: the BLAS share under which the caller may run the first, cheap iterations, or None (only on a
    local process pool; threads run in this process anyway, and a cluster gets every iteration)."""
    caps = backend.capabilities
    if caps.processes and not caps.remote and not caps.in_caller:
        return budget.share_per_worker(backend.n_workers)
    return None


def check_loop_backend(plan: Any, backend: Backend, qualname: str) -> None:
    """Refuse, on a backend whose tasks share the caller's memory (threads), a loop that is safe only on processes:
    one that only ``seed=`` made safe (threads share one global generator, so the draws would differ from the
    serial loop's), or one the analysis refuses under threads (``plan.on_threads()``: an outer estimator reset and
    refitted by every iteration, say, on which the threads would race).

    Raises:
        SharedStateError: With the findings and the fix.
    """
    caps = backend.capabilities
    if not caps.shares_memory or caps.in_caller:
        return
    if plan.global_rng_findings:
        from parallelize._rewrite.pipeline import global_rng_on_threads

        raise global_rng_on_threads(qualname, plan.global_rng_findings)
    refusal = plan.on_threads()
    if refusal is not None:
        raise SharedStateError(f"{qualname}: this loop is safe on processes, not on threads, where every "
                               f"iteration shares the caller's objects. {refusal}", refusal.findings)


def _source_file(fn: Callable[..., Any]) -> str | None:
    """The file of the code a task runs (methods, classmethods and wrapped callables included), or None."""
    function = plain_function(fn)
    return None if function is None else function.__code__.co_filename
