"""Turn a task's failure into the exception the caller sees.

A user's exception keeps its own type. From a process worker it arrives with the worker's traceback attached as
its ``__cause__`` (CPython's ``_RemoteTraceback`` technique); on every backend it carries a note naming the task
index and a short repr of the item. ``on_error="collect"`` gathers the failures into one ``ExceptionGroup`` that
also carries every task's result.
"""

from __future__ import annotations

import contextlib
import pickle
import traceback
from dataclasses import dataclass
from typing import Any

from parallelize._compat import ExceptionGroup, add_note
from parallelize._errors import describe_task_item
from parallelize._scheduler.payload import dumps


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process, shown as the cause of the re-raised error."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


@dataclass
class RemoteFailure:
    """An exception captured in a process worker, ready to be pickled back.

    ``exc`` unpickles as the exception itself (or a copy rebuilt without ``__init__``, see :func:`capture`); it is
    None only when not even that could travel.
    """

    exc: Any
    type_name: str
    message: str
    traceback_text: str
    #: Why ``exc`` is None, for the message of the ``RuntimeError`` raised instead.
    lost: str = "could not be pickled to reach the caller"


def capture(exc: BaseException, pickled: bool) -> BaseException | RemoteFailure:
    """Capture ``exc`` in a worker: the object itself in-process, a picklable record across processes.

    Pickle rebuilds an exception by calling its class with ``exc.args``, which fails for a class whose
    ``__init__`` takes other arguments (``def __init__(self, field, message)``). Such an exception travels as
    :class:`_ExceptionCopy` instead: its class, ``args`` and attributes (notes included), rebuilt in the caller
    without calling ``__init__``, so ``except ValidationError`` still catches it.
    """
    if not pickled:
        return exc
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return RemoteFailure(_portable(exc), f"{type(exc).__module__}.{type(exc).__qualname__}", str(exc),
                         f'\n"""\n{text}"""')


class _ExceptionCopy:
    """Pickles as a copy of an exception, made without calling its class's ``__init__``."""

    def __init__(self, cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> None:
        self.cls, self.args, self.state = cls, args, state

    def __reduce__(self) -> tuple[Any, ...]:
        return (_copied_exception, (self.cls, self.args, self.state))


def _copied_exception(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _portable(exc: BaseException) -> Any:
    """What carries ``exc`` to the caller: itself, an :class:`_ExceptionCopy`, or None when neither pickles."""
    if _travels(exc):
        return exc
    state = dict(getattr(exc, "__dict__", {}))
    copy = _ExceptionCopy(type(exc), exc.args, state)
    if _travels(copy):
        return copy
    # Something it holds cannot be pickled (a lock, a socket): keep the type, the message and what can travel.
    kept = {key: value for key, value in state.items() if _travels(value)}
    args = exc.args if _travels(exc.args) else (str(exc),)
    copy = _ExceptionCopy(type(exc), args, kept)
    return copy if _travels(copy) else None  # e.g. the class itself cannot be pickled


def _travels(obj: Any) -> bool:
    """Whether ``obj`` survives the trip back: pickled as results are (cloudpickle), then unpickled."""
    try:
        pickle.loads(dumps(obj))
    except Exception:
        return False
    return True


def rebuild(failure: BaseException | RemoteFailure, index: int, item: Any, *, note: bool = True) -> BaseException:
    """Return the exception to raise in the caller for task ``index``."""
    exc: BaseException
    if isinstance(failure, RemoteFailure):
        exc = failure.exc  # unpickled: the exception itself
        if exc is None:
            exc = RuntimeError(f"{failure.type_name}: {failure.message} (the original exception {failure.lost})")
        exc.__cause__ = RemoteTraceback(failure.traceback_text)
        if isinstance(exc, SystemExit) and exc.code is None and len(exc.args) == 1:
            # Rebuilt without __init__ (tblib's reducer, which Dask workers install, or _ExceptionCopy), it has its
            # args but not the exit code that sys.exit(3) gave it.
            exc.code = exc.args[0]
    else:
        exc = failure
    if note and not getattr(exc, "_parallelize_noted", False):
        add_note(exc, f"parallelize: raised by task {index} ({describe_task_item(item)})")
        with contextlib.suppress(AttributeError):
            exc._parallelize_noted = True  # type: ignore[attr-defined]
    return exc


class TaskFailures(ExceptionGroup):  # type: ignore[misc,valid-type]
    """Raised by ``on_error="collect"``: every failure, plus ``results`` (a failed slot holds its exception)."""

    results: list[Any]
    failed_indices: list[int]

    def derive(self, excs: Any) -> TaskFailures:  # type: ignore[override]
        group = TaskFailures(self.message, excs)
        group.results = self.results
        group.failed_indices = self.failed_indices
        return group


def collected_failures(failures: dict[int, Any], results: list[Any]) -> TaskFailures:
    """Build the group raised by ``on_error="collect"``."""
    indices = sorted(failures)
    count = len(indices)
    group = TaskFailures(f"{count} of {len(results)} tasks failed (tasks {_ranges(indices)})",
                         [failures[i] for i in indices])
    group.results = results
    group.failed_indices = indices
    return group


def _ranges(indices: list[int], limit: int = 10) -> str:
    shown = ", ".join(map(str, indices[:limit]))
    return shown + (", ..." if len(indices) > limit else "")
