"""``io_bound`` for ``async def`` functions: an event loop with the same limits as the thread path.

At most ``max_concurrency`` coroutines run at once; a shared async token bucket enforces ``rate``; retries back
off exponentially; ``timeout`` cancels a late call with :class:`TaskTimeoutError`. Items are pulled lazily. When
the caller already runs an event loop (a notebook), the loop runs in a helper thread so that ``.map`` stays a
plain call.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from parallelize._errors import TaskTimeoutError
from parallelize._options import Options
from parallelize._scheduler.failures import collected_failures, rebuild
from parallelize._scheduler.limits import Limits, backoff_delay


class _AsyncBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + 1.0 / self.rate
        if wait > 0:
            await asyncio.sleep(wait)


async def _one(fn: Callable[..., Any], index: int, item: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
               star: bool, limits: Limits | None, bucket: _AsyncBucket | None, timeout: float | None) -> Any:
    attempt = 0
    call_args = (*item, *args) if star else (item, *args)
    while True:
        if bucket is not None:
            await bucket.acquire()
        try:
            if timeout is None:
                return await fn(*call_args, **kwargs)
            try:
                return await asyncio.wait_for(fn(*call_args, **kwargs), timeout)
            except asyncio.TimeoutError:
                raise TaskTimeoutError(f"task {index} ran longer than timeout={timeout}s and was cancelled",
                                       index, timeout) from None
        except Exception as exc:
            retry_on = limits.retry_on if limits is not None else ()
            if limits is None or not isinstance(exc, retry_on) or attempt >= limits.retries:
                raise
            attempt += 1
            await asyncio.sleep(backoff_delay(attempt))


async def _gather(fn: Callable[..., Any], items: Iterable[Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                  star: bool, options: Options, limits: Limits | None) -> tuple[list[Any], dict[int, Any], list[Any]]:
    bucket = _AsyncBucket(limits.limiter.rate) if limits is not None and limits.limiter is not None else None
    cap = options.max_concurrency or 32
    values: list[Any] = []
    seen: list[Any] = []
    failures: dict[int, BaseException] = {}
    running: dict[asyncio.Task[Any], int] = {}
    iterator = enumerate(items)
    exhausted = False
    try:
        while True:
            while not exhausted and len(running) < cap:
                pair = next(iterator, None)
                if pair is None:
                    exhausted = True
                    break
                index, item = pair
                values.append(None)
                seen.append(item)
                task = asyncio.ensure_future(_one(fn, index, item, args, kwargs, star, limits, bucket,
                                                  options.timeout))
                running[task] = index
            if not running:
                break
            done, _ = await asyncio.wait(list(running), return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                index = running.pop(task)
                exc = task.exception()
                if exc is None:
                    values[index] = task.result()
                    continue
                failure = rebuild(exc, index, seen[index])
                if options.on_error == "raise":
                    raise failure
                failures[index] = failure
    finally:
        for task in running:
            task.cancel()
    return values, failures, seen


def run_async(fn: Callable[..., Any], items: Iterable[Any], args: tuple[Any, ...], kwargs: dict[str, Any], *,
              star: bool, mode: str, options: Options, limits: Limits | None) -> Any:
    """Run an async function over items and return what ``.map`` (or ``.imap``) would."""
    def main() -> tuple[list[Any], dict[int, Any], list[Any]]:
        return asyncio.run(_gather(fn, items, args, kwargs, star, options, limits))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        values, failures, _seen = main()
    else:
        box: dict[str, Any] = {}

        def in_thread() -> None:
            try:
                box["value"] = main()  # noqa: PAR101 - one writer thread, joined before the read
            except BaseException as exc:
                box["error"] = exc  # noqa: PAR101 - one writer thread, joined before the read

        thread = threading.Thread(target=in_thread, name="parallelize-async")
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        values, failures, _seen = box["value"]
    if failures:
        for index, exc in failures.items():
            values[index] = exc
        raise collected_failures(failures, values)
    if mode == "list":
        return values
    return iter(values)
