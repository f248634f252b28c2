"""Thread workers from ``concurrent.futures.ThreadPoolExecutor``.

Threads share the caller's memory, so nothing is pickled. A running thread cannot be killed: after a timeout the
scheduler calls ``shutdown(kill=True)``, which abandons the current executor (its stuck thread keeps running until
its task returns) and the next submit starts a fresh one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from parallelize._backends.base import BackendBase, BatchInfo, Capabilities

R = TypeVar("R")


class ThreadBackend(BackendBase):
    """A reusable pool of ``n_workers`` threads."""

    name = "threads"
    capabilities = Capabilities(processes=False, shares_memory=True, can_kill=False, remote=False)

    def __init__(self, n_workers: int, worker_env: Mapping[str, str] | None = None) -> None:
        super().__init__(n_workers, worker_env)
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def _get_executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._n_workers, thread_name_prefix="parallelize-worker")
            return self._executor

    def submit(self, fn: Callable[..., R], /, *args: Any, batch: BatchInfo | None = None) -> Future[R]:
        """Queue ``fn(*args)`` on a pool thread."""
        return self._get_executor().submit(fn, *args)

    def shutdown(self, *, wait: bool = True, kill: bool = False) -> None:
        """Release the pool; with ``kill`` do not wait for running tasks (they cannot be stopped)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait and not kill, cancel_futures=kill)
