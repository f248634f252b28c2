"""``@io_bound``: network and disk work on threads, with a concurrency cap, a rate limit and retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, ParamSpec, TypeVar, overload

from parallelize._decorators.parallel_for import build
from parallelize._decorators.wrapper import ParallelFunction
from parallelize._options import Options, check_retry_on, parse_rate, validate

P = ParamSpec("P")
R = TypeVar("R")

#: Default thread count: I/O waits, so many more threads than cores pay off; 32 keeps servers polite.
DEFAULT_CONCURRENCY = 32


@overload
def io_bound(fn: Callable[P, R], /) -> ParallelFunction[P, R]: ...


@overload
def io_bound(
    *,
    max_concurrency: int = DEFAULT_CONCURRENCY,
    rate: str | float | None = None,
    retries: int = 0,
    retry_on: type[BaseException] | tuple[type[BaseException], ...] = (OSError, TimeoutError),
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


def io_bound(
    fn: Callable[P, R] | None = None,
    /,
    *,
    max_concurrency: int = DEFAULT_CONCURRENCY,
    rate: str | float | None = None,
    retries: int = 0,
    retry_on: type[BaseException] | tuple[type[BaseException], ...] = (OSError, TimeoutError),
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
    """Run I/O-bound calls on threads; same methods and guarantees as :func:`parallel_for`.

    These two lines are equivalent, except that the second keeps up to 32 requests in flight, at most 20 a
    second, retrying connection errors::

        pages = [fetch(url) for url in urls]
        pages = fetch.map(urls)          # with @io_bound(max_concurrency=32, rate="20/s", retries=3)

    Results come back in input order. ``async def`` functions work too: ``.map`` runs them on an event loop with
    the same limits. ``config(backend=...)`` does not move ``io_bound`` work off threads; its own ``backend=``
    does. The other options (``batch_size``, ``progress``, ``timeout``, ``on_error``, ``seed``, ``init``,
    ``backend``, ``loop``, ``strict``) are as for :func:`parallel_for`.

    Args:
        fn: the function (when used bare).
        max_concurrency: threads (or concurrent coroutines): how many calls are in flight at once.
        rate: calls per second across all threads: a number, or ``"20/s"``, ``"100/min"``, ``"500/h"``.
        retries: attempts after the first for the exceptions in ``retry_on``, with exponential backoff.
        retry_on: the exceptions worth retrying, as ``except`` takes them: a class or a tuple of classes
            (default ``(OSError, TimeoutError)``).

    Errors:
        As :func:`parallel_for`. A thread cannot be killed: after a timeout, the stuck call is abandoned (it may
        still finish in the background) and the error says so.

    Example:
        >>> from parallelize import io_bound
        >>> @io_bound(max_concurrency=4)
        ... def length(text):
        ...     return len(text)
        >>> length.map(["a", "bb", "ccc"])
        [1, 2, 3]
    """
    if isinstance(rate, bool):
        raise ValueError(f"rate={rate!r} is not a rate; use a number per second or a string like '20/s'")
    options = validate(Options(
        batch_size=batch_size, progress=progress, timeout=timeout, on_error=on_error, seed=seed, init=init,
        backend=backend, loop=loop, strict=strict, max_concurrency=max_concurrency, rate=parse_rate(rate),
        retries=retries, retry_on=check_retry_on(retry_on), io=True,
    ))

    def decorate(function: Callable[P, R]) -> ParallelFunction[P, R]:
        return build(function, options)

    if fn is not None:
        return decorate(fn)
    return decorate
