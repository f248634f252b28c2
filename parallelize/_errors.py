"""The exceptions and warnings parallelize raises itself.

Every class is re-exported from :mod:`parallelize`. Each error also subclasses the builtin it resembles, so code
that already catches ``ValueError`` or ``TimeoutError`` keeps working::

    ParallelizeError(Exception)
    ├── SharedStateError(ParallelizeError, ValueError)          a loop cannot be made parallel safely
    ├── SerializationError(ParallelizeError, TypeError)         an argument or item cannot be pickled
    ├── WorkerCrashedError(ParallelizeError, RuntimeError)      a worker process died while running tasks
    ├── TaskTimeoutError(ParallelizeError, TimeoutError)        a task ran longer than ``timeout``
    ├── BackendUnavailableError(ParallelizeError, RuntimeError) a backend cannot be used (not installed, unreachable)
    ├── GPUUnavailableError(ParallelizeError, RuntimeError)     CUDA was demanded and is not usable
    └── KernelCompileError(ParallelizeError, ValueError)        a GPU kernel's source cannot be compiled
    ParallelizeWarning(UserWarning)                             notices such as "no GPU, using the CPU path"

A user's own exception raised inside a task is re-raised with its own type, never wrapped in one of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parallelize._analysis.rules.base import Finding


class ParallelizeError(Exception):
    """Base class of every error raised by parallelize itself."""


class SharedStateError(ParallelizeError, ValueError):
    """A loop cannot be run in parallel with the same result as the serial loop.

    ``findings`` holds the same findings (rule code, file, line, fix) that ``parallelize check`` prints.
    """

    def __init__(self, message: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings: list[Finding] = list(findings)


class SerializationError(ParallelizeError, TypeError):
    """An argument, item or function cannot be pickled to reach a process worker."""


class WorkerCrashedError(ParallelizeError, RuntimeError):
    """A worker process died (segfault, ``os._exit``, killed) while running tasks.

    ``task_indices`` lists the tasks that were running or queued on the dead pool; the pool is rebuilt for the
    next call.
    """

    def __init__(self, message: str, task_indices: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.task_indices: list[int] = list(task_indices)


class TaskTimeoutError(ParallelizeError, TimeoutError):
    """A task ran longer than its ``timeout``."""

    def __init__(self, message: str, task_index: int | None = None, timeout: float | None = None) -> None:
        super().__init__(message)
        self.task_index = task_index
        self.timeout = timeout


class BackendUnavailableError(ParallelizeError, RuntimeError):
    """A backend cannot be used: a package is missing or a scheduler cannot be reached."""


class GPUUnavailableError(ParallelizeError, RuntimeError):
    """CUDA was asked for explicitly and no usable device or toolchain was found."""


class KernelCompileError(ParallelizeError, ValueError):
    """A kernel's source cannot be compiled (numba typing error, or nvcc error in CUDA C).

    Attributes:
        kernel: the kernel's name.
        filename: the file holding the offending line ("<cuda source>" for CUDA C strings).
        lineno: the line number in that file (1-based), or None when the compiler named none.
    """

    def __init__(self, message: str, kernel: str, filename: str = "", lineno: int | None = None) -> None:
        super().__init__(message)
        self.kernel = kernel
        self.filename = filename
        self.lineno = lineno

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds from ``args`` (the message alone) and fails: the simulator helper process sends
        # these to the caller.
        return (type(self), (str(self), self.kernel, self.filename, self.lineno), dict(self.__dict__))


class ParallelizeWarning(UserWarning):
    """A notice from parallelize, such as falling back to the CPU path when no GPU is present."""


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` called just above this that points at the user's code.

    Counts the frames, from the caller of this function outwards, that belong to parallelize itself (wrapt's
    frames included), so a warning names the user's line whichever internal path raised it.
    """
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__))
    frame = sys._getframe(1)
    level = 1
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not (filename.startswith(package + os.sep) or f"{os.sep}wrapt{os.sep}" in filename):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def describe_task_item(item: Any) -> str:
    """How error messages name a task's input: ``item 'a.csv'``, or ``arguments (2, mode='fast')`` for a call
    made with ``.submit`` (its item's class sets ``_parallelize_label``)."""
    return f"{getattr(type(item), '_parallelize_label', 'item')} {describe_item(item)}"


def describe_item(item: Any, limit: int = 80) -> str:
    """Return a short, safe ``repr`` of a task's item for error notes."""
    try:
        text = repr(item)
    except Exception as exc:  # a broken __repr__ must not hide the real error
        text = f"<{type(item).__name__} object (repr failed: {type(exc).__name__})>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
