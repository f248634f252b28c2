"""Run every batch in the caller, one after the other. The reference every other backend is tested against."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from parallelize._backends.base import BackendBase, BatchInfo, Capabilities, completed_future

R = TypeVar("R")


class SerialBackend(BackendBase):
    """Runs tasks in the calling thread at submit time; futures come back already finished."""

    name = "serial"
    capabilities = Capabilities(processes=False, shares_memory=True, can_kill=False, remote=False, in_caller=True)

    def submit(self, fn: Callable[..., R], /, *args: Any, batch: BatchInfo | None = None) -> Future[R]:
        """Run ``fn(*args)`` now."""
        return completed_future(fn, *args)
