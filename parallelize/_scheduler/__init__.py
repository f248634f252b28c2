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
from parallelize._scheduler.advice import warn_if_all_in_caller, warn_if_too_small
from parallelize._scheduler.failures import collected_failures, rebuild
from parallelize._scheduler.ordering import Event, in_input_order
from parallelize._scheduler.payload import CallSpec
from parallelize._scheduler.progress import progress_bar
from parallelize._scheduler.runner import Execution

__all__ = ["CallSpec", "run_iter", "run_list", "submit_one"]


def run_list(spec: CallSpec, items: Iterable[Any], backend: Backend, *, batch_size: int | None = None,
             timeout: float | None = None, on_error: str = "raise", progress: bool = False,
             description: str = "") -> list[Any]:
    """Run every item and return the results in input order.

    Raises:
        Exception: the first failing task's own exception (``on_error="raise"``), with a note naming the task.
        TaskFailures: an ``ExceptionGroup`` of every failure when ``on_error="collect"`` and any task failed.
    """
    execution = Execution(spec, items, backend, batch_size=batch_size, timeout=timeout)
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
                        failures[index] = _collectable(rebuild(failure, index, batch_items[index - first]))
                chunks[first] = values
    finally:
        bar.close()
    warn_if_too_small(execution, description)
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
             progress: bool = False, description: str = "", caller_share: int | None = None) -> Iterator[Any]:
    """Yield results lazily, in input order (``ordered``) or as they finish.

    With ``on_error="collect"`` a failed task yields its exception object in place of a result.

    ``caller_share`` (loop mode) lets the first, cheap iterations run in the caller under that many BLAS threads
    (see ``Execution._in_caller``); a run that ends wholly there says so once per function. Map mode gives None,
    and instead gets the advice when its tasks were too small to gain from workers.
    """
    execution = Execution(spec, items, backend, batch_size=batch_size, timeout=timeout,
                          caller_share=caller_share if on_error == "raise" else None)
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
                        yield _collectable(exc)
                    else:
                        yield value
    finally:
        bar.close()
    if caller_share is None:
        warn_if_too_small(execution, description)
    else:
        warn_if_all_in_caller(execution, description)


def _collectable(exc: BaseException) -> BaseException:
    """A task's failure that ``on_error="collect"`` may keep; a task's ``sys.exit()`` ends the call instead, as it
    ends the serial loop (an exit request is not a failed result)."""
    if not isinstance(exc, Exception):
        raise exc
    return exc


class _InterruptibleFuture(Future[Any]):
    """A future whose ``result()``/``exception()``, interrupted by Ctrl-C, stops its task as ``.map`` does.

    The task is cancelled if it has not started and the backend's workers are killed if it has (processes), so
    Ctrl-C while waiting on ``.submit(...).result()`` leaves no worker running the task.
    """

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self._backend = backend

    def result(self, timeout: float | None = None) -> Any:
        try:
            return super().result(timeout)
        except KeyboardInterrupt:
            self._interrupted()
            raise

    def exception(self, timeout: float | None = None) -> BaseException | None:
        try:
            return super().exception(timeout)
        except KeyboardInterrupt:
            self._interrupted()
            raise

    def _interrupted(self) -> None:
        if self.done() or self.cancel():
            return
        if self._backend.capabilities.can_kill:
            self._backend.shutdown(wait=False, kill=True)


class _TaskFuture(_InterruptibleFuture):
    """The future ``.submit`` returns: completed by a callback on the backend's own future, no thread of ours."""

    def __init__(self, execution: Execution) -> None:
        super().__init__(execution.backend)
        self._execution = execution
        self._inner: Future[Any] | None = None
        try:
            inner = execution.send_one()
        except BaseException as exc:
            execution.close()
            self.set_exception(exc)
            return
        self._inner = inner
        inner.add_done_callback(self._finished)

    def cancel(self) -> bool:
        """Cancel the task if it has not started on a worker yet."""
        if self._inner is not None and not self._inner.cancel():
            return False
        return super().cancel()

    def _finished(self, inner: Future[Any]) -> None:
        if inner.cancelled():
            self._execution.close()
            return
        try:
            first, values, failures, items = self._execution.outcome(inner)
            if failures:
                self.set_exception(rebuild(failures[first], first, items[0]))
            else:
                self.set_result(values[0])
        except BaseException as exc:  # a result that cannot be decoded here: the future says so
            if not self.done():
                self.set_exception(exc)
        finally:
            self._execution.close()


def submit_one(spec: CallSpec, call: tuple[tuple[Any, ...], dict[str, Any]], backend: Backend, *,
               timeout: float | None = None) -> Future[Any]:
    """Run one call ``fn(*args, **kwargs)`` as a task and return a ``concurrent.futures.Future``.

    The task goes to the backend at once as a one-task batch; its future completes from the backend's own. Only
    a ``timeout`` needs a watcher (something must notice the late task and kill its worker), which is a thread.
    """
    if timeout is None or backend.capabilities.in_caller:
        return _TaskFuture(Execution(spec, [call], backend, batch_size=1, timeout=timeout))
    future = _InterruptibleFuture(backend)

    def watch() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            (value,) = run_list(spec, [call], backend, batch_size=1, timeout=timeout)
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(value)

    threading.Thread(target=watch, name="parallelize-submit-timeout", daemon=True).start()
    return future
