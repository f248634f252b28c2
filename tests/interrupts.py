"""Ctrl-C for in-process tests, imported by name: a real SIGINT to the main thread after a delay."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def ctrl_c_after(seconds: float) -> Iterator[None]:
    """Send SIGINT to the main thread ``seconds`` into the block, as Ctrl-C does.

    A real signal wakes the caller's blocked wait; ``_thread.interrupt_main`` would only be seen once that wait
    returned. The timer is cancelled if the block ends first.
    """
    timer = threading.Timer(seconds, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
