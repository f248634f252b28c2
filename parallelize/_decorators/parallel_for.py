"""``@parallel_for``: CPU-bound work on process workers (loky), with ``.map`` and friends on every function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, ParamSpec, TypeVar, overload

from parallelize._decorators.wrapper import ParallelFunction
from parallelize._options import Options, validate

P = ParamSpec("P")
R = TypeVar("R")


@overload
def parallel_for(fn: Callable[P, R], /) -> ParallelFunction[P, R]: ...


@overload
def parallel_for(
    *,
    n_jobs: int | None = None,
    batch_size: int | Literal["auto"] = "auto",
    progress: bool = False,
    timeout: float | None = None,
    on_error: Literal["raise", "collect"] = "raise",
    seed: int | None = None,
    init: Callable[[], Any] | None = None,
    backend: Any = None,
    loop: int | bool | None = None,
    strict: bool | None = None,
) -> Callable[[Callable[P, R]], ParallelFunction[P, R]]: ...


def parallel_for(
    fn: Callable[P, R] | None = None,
    /,
    *,
    n_jobs: int | None = None,
    batch_size: int | Literal["auto"] = "auto",
    progress: bool = False,
    timeout: float | None = None,
    on_error: Literal["raise", "collect"] = "raise",
    seed: int | None = None,
    init: Callable[[], Any] | None = None,
    backend: Any = None,
    loop: int | bool | None = None,
    strict: bool | None = None,
) -> ParallelFunction[P, R] | Callable[[Callable[P, R]], ParallelFunction[P, R]]:
    """Run a function's work on process workers; give it ``.map``, ``.imap``, ``.starmap`` and ``.submit``.

    These two lines are equivalent, except that the second runs on all cores::

        results = [simulate(trial, n_steps=100) for trial in range(1000)]
        results = simulate.map(range(1000), n_steps=100)

    The results come back in input order, and with ``seed=`` every task's random stream
    (:func:`parallelize.rng`, and ``random``/``numpy.random`` on processes) is the same whatever ``n_jobs``,
    batch size or backend, so the parallel run equals ``backend="serial"``.

    Args:
        fn: the function (when used bare, as ``@parallel_for``).
        n_jobs: worker processes; default all usable cores (loky's ``cpu_count()``), -1 also means all. Inside a
            worker the default is that worker's share of the cores.
        batch_size: tasks per dispatch, or ``"auto"`` to size batches from measured task times.
        progress: show a tqdm progress bar.
        timeout: seconds a single task may run; a late task's worker is killed and replaced.
        on_error: ``"raise"`` the first failure (pending tasks cancelled) or ``"collect"`` every failure into one
            ``ExceptionGroup`` that carries the good results.
        seed: seed for per-task random streams.
        init: run once per worker (e.g. load a model); tasks read its return value with
            :func:`parallelize.worker_state`.
        backend: ``"loky"`` (default), ``"threads"``, ``"serial"``, ``"dask"`` or a ``distributed.Client``.
        loop: loop mode selection: ``False`` keeps plain calls serial; ``N`` picks the N-th top-level loop.
        strict: lost writes are errors. In map mode, each mutation of shared state that the analysis finds
            (the same findings as ``parallelize check``) raises :class:`SharedStateError` at decoration instead of
            a :class:`ParallelizeWarning`, and process and Dask workers check every task for changes to the
            module-level objects the function refers to and to its own inputs. ``None``: from
            ``config(strict=...)`` or ``PARALLELIZE_STRICT=1``.

    Errors:
        A task's exception is re-raised in the caller with its own type, the worker's traceback as its cause and
        a note naming the task index and item. A dead worker raises :class:`WorkerCrashedError`; a late task
        :class:`TaskTimeoutError`; an unpicklable argument :class:`SerializationError`. Ctrl-C stops the workers.

    Example:
        >>> from parallelize import parallel_for
        >>> @parallel_for(n_jobs=2)
        ... def square(x):
        ...     return x * x
        >>> square.map(range(5))
        [0, 1, 4, 9, 16]
    """
    options = validate(Options(n_jobs=n_jobs, batch_size=batch_size, progress=progress, timeout=timeout,
                               on_error=on_error, seed=seed, init=init, backend=backend, loop=loop,
                               strict=strict))

    def decorate(function: Callable[P, R]) -> ParallelFunction[P, R]:
        return build(function, options)

    if fn is not None:
        return decorate(fn)
    return decorate


def build(function: Callable[P, R], options: Options) -> ParallelFunction[P, R]:
    """Wrap ``function``; loop mode (when the body has a top-level loop) is attached here."""
    if not callable(function) and not isinstance(function, (staticmethod, classmethod)):
        raise TypeError(f"@parallel_for/@io_bound decorate functions, not {type(function).__name__}")
    from parallelize._decorators.loop_mode import attach_loop_mode

    return attach_loop_mode(function, options)
