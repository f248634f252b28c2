"""Process workers from loky, kept alive and reused across calls.

Data flow: the scheduler pickles each batch itself (cloudpickle) into bytes and calls ``submit(run_batch, ...)``;
loky's manager thread feeds a call queue read by the worker processes and hands results back through a result
queue, completing the ``Future``. This module owns one ``loky.ProcessPoolExecutor`` per (size, environment), under
``_lock``. It translates loky's failures into ours and nothing more:

- ``TerminatedWorkerError`` / ``BrokenProcessPool`` (a worker died: segfault, ``os._exit``, SIGKILL by the OOM
  killer) become :class:`WorkerCrashedError`, and the broken executor is replaced at the next submit.
- Each worker exits within ``PARENT_POLL`` seconds of its caller's death (SIGKILL, segfault, abort), even mid-task.
- ``shutdown(kill=True)`` terminates the workers at once and waits (up to ``KILL_WAIT`` seconds) until they
  are gone; it serves timeouts and Ctrl-C, so no worker outlives the call that needed it to stop, and a
  ``TaskTimeoutError`` is raised only once the stuck worker is dead (it can write no more files).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import signal
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

from loky import ProcessPoolExecutor
from loky.process_executor import BrokenProcessPool, ShutdownExecutorError, TerminatedWorkerError

from parallelize._backends.base import BackendBase, BatchInfo, Capabilities
from parallelize._errors import WorkerCrashedError

R = TypeVar("R")

#: Idle workers exit after this many seconds; long enough that notebook cells reuse a warm pool.
IDLE_TIMEOUT = 300
#: How long ``shutdown(kill=True)`` waits for killed workers to be gone before it returns anyway.
KILL_WAIT = 5.0

_live: weakref.WeakSet[LokyBackend] = weakref.WeakSet()


def _crash_error(exc: BaseException) -> WorkerCrashedError:
    text = str(exc)
    codes = re.search(r"exit codes of the workers are (\{[^}]*\})", text)
    detail = f"exit codes {codes.group(1)}" if codes else type(exc).__name__
    return WorkerCrashedError(
        f"a worker process died ({detail}): a segmentation fault, os._exit(), or the operating system killing "
        "it (often for lack of memory). The pool is rebuilt for the next call."
    )


class LokyBackend(BackendBase):
    """A reusable loky process pool of ``n_workers`` processes started with ``worker_env``."""

    name = "loky"
    capabilities = Capabilities(processes=True, shares_memory=False, can_kill=True, remote=False)

    def __init__(self, n_workers: int, worker_env: Mapping[str, str] | None = None) -> None:
        super().__init__(n_workers, worker_env)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        _live.add(self)

    def _get_executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self._n_workers, timeout=IDLE_TIMEOUT, env=self._worker_env or None,
                    initializer=_exit_with_parent, initargs=(os.getpid(),),
                )
            return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, kill_workers=True)

    def submit(self, fn: Callable[..., R], /, *args: Any, batch: BatchInfo | None = None) -> Future[R]:
        """Send ``fn(*args)`` to a worker process; a broken pool is replaced first."""
        for _attempt in range(2):
            executor = self._get_executor()
            try:
                inner = executor.submit(fn, *args)
            except (BrokenProcessPool, ShutdownExecutorError, RuntimeError):
                self._discard(executor)
                continue
            return self._translate(executor, inner)
        raise WorkerCrashedError("the process pool could not be restarted; see the previous errors")

    def _translate(self, executor: ProcessPoolExecutor, inner: Future[R]) -> Future[R]:
        outer: _RelayFuture[R] = _RelayFuture(inner)

        def relay(done: Future[R]) -> None:
            if done.cancelled():
                Future.cancel(outer)
                return
            exc = done.exception()
            if exc is None:
                outer.set_result(done.result())
            elif isinstance(exc, (TerminatedWorkerError, BrokenProcessPool)):
                self._discard(executor)
                outer.set_exception(_crash_error(exc))
            else:
                outer.set_exception(exc)

        inner.add_done_callback(relay)
        return outer

    def shutdown(self, *, wait: bool = True, kill: bool = False) -> None:
        """Stop the workers; ``kill`` terminates them without waiting for running tasks."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        # loky's own kill does not wait; snapshot its process objects first so they can be reaped here.
        workers = list((getattr(executor, "_processes", None) or {}).values()) if kill else []
        executor.shutdown(wait=wait and not kill, kill_workers=kill)
        if kill:
            _wait_gone(workers, KILL_WAIT)


#: How often a worker checks that the process that started it is still alive.
PARENT_POLL = 0.5


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: exit as soon as the caller is gone, even in the middle of a task.

    loky's workers notice a dead caller only when they next read their queue, so a task of minutes outlived a
    caller that was SIGKILLed or crashed. A daemon thread polls the parent pid (a dead parent's children are
    re-parented, so ``getppid`` changes) and ends the worker with ``os._exit``. Not ``PR_SET_PDEATHSIG``: that
    fires when the *thread* that started the worker exits, and loky starts workers from a thread of its own.
    """
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="parallelize-parent-watch", daemon=True).start()


def _wait_gone(workers: list[Any], seconds: float) -> None:
    """Kill ``workers`` (loky's process objects) if still alive and reap them, within ``seconds`` in all."""
    deadline = time.monotonic() + seconds
    for worker in workers:
        with contextlib.suppress(Exception):
            if worker.is_alive():
                # loky's Popen has no kill(); SIGKILL directly where the platform has it.
                if hasattr(signal, "SIGKILL"):
                    os.kill(worker.pid, signal.SIGKILL)
                else:
                    worker.terminate()
            worker.join(max(0.0, deadline - time.monotonic()))


class _RelayFuture(Future[R]):
    """A future completed from loky's, with loky's errors translated; cancelling it cancels loky's."""

    def __init__(self, inner: Future[R]) -> None:
        super().__init__()
        self._inner = inner

    def cancel(self) -> bool:
        return self._inner.cancel() and super().cancel()


@atexit.register
def _shutdown_all() -> None:
    for backend in list(_live):
        backend.shutdown(wait=False, kill=True)
