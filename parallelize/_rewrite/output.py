"""What a loop iteration prints on a worker, kept and written by the caller in iteration order.

A serial loop prints iteration 0's lines, then iteration 1's, and so on, in the caller's own standard output (in a
notebook: the cell). On a process or cluster worker the same ``print`` would go to the worker's standard output,
in completion order (in a notebook: the kernel's log). So on a worker an iteration's ``sys.stdout`` is captured,
the text travels back with its result, and the caller writes it when it replays that iteration, in order.

``sys.stdout`` is replaced once per worker process by a router that sends each thread's writes to that thread's
capture, when one is open, or to the real stream: a Dask worker runs several iterations at once on its threads.
Only ``sys.stdout`` is captured: standard error (warnings, logging, tracebacks) still goes out as it is written.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["captured_stdout", "keep_printed", "write_printed"]


class _Router:
    """``sys.stdout`` on a worker: a thread's writes go to its open capture, everyone else's to the real stream.

    Not an ``io`` subclass: every attribute it does not define (``encoding``, ``fileno``, ``isatty``, ``buffer``)
    is the real stream's, where an ``io.TextIOBase`` would answer some of them itself.
    """

    def __init__(self, real: TextIO) -> None:
        self.real = real
        self.local = threading.local()

    def _target(self) -> TextIO:
        buffer: TextIO | None = getattr(self.local, "buffer", None)
        return buffer if buffer is not None else self.real

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, ...: the real stream's
        return getattr(self.real, name)


_install_lock = threading.Lock()


def _router() -> _Router:
    with _install_lock:
        current = sys.stdout
        if not isinstance(current, _Router):
            current = _Router(current)
            sys.stdout = current
        return current


@contextlib.contextmanager
def captured_stdout() -> Iterator[io.StringIO]:
    """Capture what this thread writes to ``sys.stdout`` while the block runs."""
    router = _router()
    buffer = io.StringIO()
    previous = getattr(router.local, "buffer", None)
    router.local.buffer = buffer
    try:
        yield buffer
    finally:
        router.local.buffer = previous


#: The attribute that carries a failed iteration's printed text to the caller, with its exception.
_PRINTED = "_parallelize_printed"


def keep_printed(exc: BaseException, text: str) -> None:
    """Attach what a failing iteration printed to its exception, so the caller writes it in order too."""
    if not text:
        return
    try:
        setattr(exc, _PRINTED, text)
    except Exception:  # an exception that takes no attributes: its lines go out here rather than be lost
        sys.stdout.write(text)


def write_printed(exc: BaseException) -> None:
    """Write what the iteration that raised ``exc`` printed (once), in the caller."""
    text = exc.__dict__.pop(_PRINTED, "") if hasattr(exc, "__dict__") else ""
    if text:
        sys.stdout.write(text)
