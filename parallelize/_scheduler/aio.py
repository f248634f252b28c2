"""``io_bound`` for ``async def`` functions: an event loop with the same limits as the thread path.

At most ``max_concurrency`` coroutines run at once; a shared async token bucket enforces ``rate``; retries back
off exponentially; ``timeout`` cancels a late call with :class:`TaskTimeoutError`. Items are pulled lazily. When
the caller already runs an event loop (a notebook), the loop runs in a helper thread so that ``.map`` stays a
plain call.

``.imap`` and ``.imap_unordered`` stream (:func:`stream_async`): the event loop runs in a helper thread and pulls
an item only while fewer than ``max_concurrency`` results are started but not yet taken by the caller, so an
endless input is read as far as the caller consumes it, no further; ``imap_unordered`` yields in completion order.

    caller's generator  <--- queue.Queue (index, ok, value) ---  event loop thread: _feed()
          |                                                         ^
          +---- loop.call_soon_threadsafe(window.release) ---------+   (one slot back per result taken)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
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


_DONE = object()


async def _feed(fn: Callable[..., Any], items: Iterable[Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                star: bool, options: Options, limits: Limits | None, window: asyncio.Semaphore,
                out: queue.Queue[Any], stop: threading.Event) -> None:
    """Start one task per window slot and put each outcome on ``out`` as it finishes; ``_DONE`` at the end."""
    bucket = _AsyncBucket(limits.limiter.rate) if limits is not None and limits.limiter is not None else None
    running: set[asyncio.Task[Any]] = set()

    def finished(task: asyncio.Task[Any], index: int, item: Any) -> None:
        running.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        out.put((index, False, rebuild(exc, index, item)) if exc is not None else (index, True, task.result()))

    try:
        for index, item in enumerate(items):
            await window.acquire()
            if stop.is_set():
                break
            task = asyncio.ensure_future(_one(fn, index, item, args, kwargs, star, limits, bucket, options.timeout))
            task.add_done_callback(functools.partial(finished, index=index, item=item))
            running.add(task)
        while running and not stop.is_set():
            await asyncio.wait(set(running))
    except asyncio.CancelledError:
        raise  # the caller stopped reading
    except BaseException as exc:  # the input iterator itself failed: the caller gets it after what finished
        if running and not stop.is_set():
            await asyncio.wait(set(running))
        out.put((None, False, exc))
    finally:
        for task in running:
            task.cancel()
        out.put(_DONE)


def stream_async(fn: Callable[..., Any], items: Iterable[Any], args: tuple[Any, ...], kwargs: dict[str, Any], *,
                 star: bool, ordered: bool, options: Options, limits: Limits | None) -> Iterator[Any]:
    """What ``.imap`` (``ordered``) or ``.imap_unordered`` of an async function yields, lazily.

    With ``on_error="collect"`` a failed task yields its exception in its place; with ``"raise"`` the first failure
    (in input order when ``ordered``) is raised and the remaining tasks are cancelled.
    """
    cap = options.max_concurrency or 32
    out: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    ready = threading.Event()
    box: dict[str, Any] = {}

    def in_thread() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # this thread's own loop (3.10's primitives look it up)
        window = asyncio.Semaphore(cap)
        feeder = loop.create_task(_feed(fn, items, args, kwargs, star, options, limits, window, out, stop))
        box["loop"], box["feeder"], box["window"] = loop, feeder, window  # noqa: PAR101 - read after ready.wait()
        ready.set()
        try:
            loop.run_until_complete(asyncio.wait([feeder]))
            loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(loop), return_exceptions=True))
        finally:
            loop.close()

    thread = threading.Thread(target=in_thread, name="parallelize-async", daemon=True)
    thread.start()
    ready.wait()
    loop, feeder, window = box["loop"], box["feeder"], box["window"]

    def window_release() -> None:  # one slot back to the feeder, from this thread
        with contextlib.suppress(RuntimeError):  # the loop has finished: every item was started
            loop.call_soon_threadsafe(window.release)

    waiting: dict[int, tuple[bool, Any]] = {}
    next_index = 0
    try:
        while True:
            entry = out.get()
            if entry is _DONE:
                break
            index, ok, value = entry
            if index is None:
                raise value
            if not ordered:
                window_release()
                if not ok and options.on_error == "raise":
                    raise value
                yield value
                continue
            waiting[index] = (ok, value)
            while next_index in waiting:
                ok, value = waiting.pop(next_index)
                next_index += 1
                window_release()
                if not ok and options.on_error == "raise":
                    raise value
                yield value
    finally:
        if not stop.is_set():
            stop.set()
            with contextlib.suppress(RuntimeError):  # RuntimeError: the loop has already finished
                loop.call_soon_threadsafe(feeder.cancel)  # cancels the running tasks too (its finally)
        thread.join()


def run_async(fn: Callable[..., Any], items: Iterable[Any], args: tuple[Any, ...], kwargs: dict[str, Any], *,
              star: bool, options: Options, limits: Limits | None) -> list[Any]:
    """Run an async function over items and return what ``.map`` would."""
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
    return values
