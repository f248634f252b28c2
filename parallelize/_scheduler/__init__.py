"""The scheduler: the only orchestrator. Decorators hand it a spec and items; it returns results.

It owns ordering, batching, progress, seeds, timeouts, the nested core budget, the ``on_error`` policy and the
translation of task failures into the caller's exceptions. It imports neither loky nor Dask: backends come in
already chosen (see ``parallelize._backends``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from typing import Any

from parallelize._backends.base import Backend
from parallelize._scheduler.failures import collected_failures, rebuild
from parallelize._scheduler.ordering import Event, in_input_order
from parallelize._scheduler.payload import CallSpec
from parallelize._scheduler.progress import progress_bar
from parallelize._scheduler.runner import Execution

__all__ = ["CallSpec", "run_iter", "run_list", "submit_one"]


def _execution(spec: CallSpec, items: Iterable[Any], backend: Backend, batch_size: int | None,
               timeout: float | None, allow_inline: bool, keep_tiny: bool = False,
               handoff: bool = False) -> Execution:
    return Execution(spec, items, backend, batch_size=batch_size, timeout=timeout, allow_inline=allow_inline,
                     keep_tiny=keep_tiny, handoff=handoff)


def run_list(spec: CallSpec, items: Iterable[Any], backend: Backend, *, batch_size: int | None = None,
             timeout: float | None = None, on_error: str = "raise", progress: bool = False,
             description: str = "", allow_inline: bool = True) -> list[Any]:
    """Run every item and return the results in input order.

    Raises:
        Exception: the first failing task's own exception (``on_error="raise"``), with a note naming the task.
        TaskFailures: an ``ExceptionGroup`` of every failure when ``on_error="collect"`` and any task failed.
    """
    execution = _execution(spec, items, backend, batch_size, timeout, allow_inline)
    bar = progress_bar(progress, execution.total, description)
    chunks: dict[int, list[Any]] = {}
    failures: dict[int, BaseException] = {}
    try:
        with contextlib.closing(execution.events()) as events:
            for first, values, batch_failures, batch_items in events:
                bar.update(len(values))
                if batch_failures:
                    if on_error == "raise":
                        index = min(batch_failures)
                        raise rebuild(batch_failures[index], index, batch_items[index - first])
                    for index, failure in batch_failures.items():
                        failures[index] = rebuild(failure, index, batch_items[index - first])
                chunks[first] = values
    finally:
        bar.close()
    results: list[Any] = []
    for first in sorted(chunks):
        results.extend(chunks[first])
    if failures:
        for index, exc in failures.items():
            results[index] = exc
        raise collected_failures(failures, results)
    return results


def run_iter(spec: CallSpec, items: Iterable[Any], backend: Backend, *, ordered: bool,
             batch_size: int | None = None, timeout: float | None = None, on_error: str = "raise",
             progress: bool = False, description: str = "", allow_inline: bool = True,
             stats: dict[str, Any] | None = None, keep_tiny: bool = False,
             handoff: bool = False) -> Iterator[Any]:
    """Yield results lazily, in input order (``ordered``) or as they finish.

    With ``on_error="collect"`` a failed task yields its exception object in place of a result. ``stats``, when
    given, receives ``dispatched`` (whether any task left the caller) and ``per_task`` (measured seconds per
    task, or None). ``keep_tiny`` keeps tasks under ``TINY_TASK_SECONDS`` in the caller whatever their number
    (loop mode, where the caller replays every iteration anyway); with ``handoff`` it stops there instead and
    leaves the untaken items in ``stats["rest"]`` for the caller to run itself.
    """
    execution = _execution(spec, items, backend, batch_size, timeout, allow_inline, keep_tiny, handoff)
    if stats is not None:
        stats["dispatched"] = False
    bar = progress_bar(progress, execution.total, description)
    try:
        with contextlib.closing(execution.events()) as events:
            stream: Iterable[Event] = in_input_order(events) if ordered else events
            for first, values, batch_failures, batch_items in stream:
                bar.update(len(values))
                for offset, value in enumerate(values):
                    index = first + offset
                    if index in batch_failures:
                        exc = rebuild(batch_failures[index], index, batch_items[offset])
                        if on_error == "raise":
                            raise exc
                        yield exc
                    else:
                        yield value
    finally:
        bar.close()
        if stats is not None:
            stats["dispatched"] = execution.dispatched
            stats["per_task"] = execution.per_task
            stats["rest"] = execution.rest


def submit_one(spec: CallSpec, call: tuple[tuple[Any, ...], dict[str, Any]], backend: Backend, *,
               timeout: float | None = None) -> Future[Any]:
    """Run one call ``fn(*args, **kwargs)`` as a task and return a ``concurrent.futures.Future``."""
    future: Future[Any] = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            (value,) = run_list(spec, [call], backend, batch_size=1, timeout=timeout, allow_inline=False)
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(value)

    if backend.capabilities.in_caller:
        work()
    else:
        threading.Thread(target=work, name="parallelize-submit", daemon=True).start()
    return future
