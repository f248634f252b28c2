"""The Dask backend's remote side: what runs on a worker (and one query on the scheduler).

Kept apart from :mod:`parallelize._backends.dask`, the caller's side, so each stays small: this module is what Dask
pickles by reference into its tasks, and the two exceptions travel from here to the caller.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from typing import Any

import distributed

from parallelize._backends.base import BatchInfo
from parallelize._scheduler import budget

__all__ = ["START_TOPIC", "_BatchFailed", "_TaskInterrupted", "_processing_on", "_run_on_worker"]

#: The scheduler event topic on which workers say that a batch started or ended: (call token, first task index,
#: worker address, ended).
START_TOPIC = "parallelize-batch-started"


class _BatchFailed(Exception):
    """Raised on a worker so Dask retries a batch with a failed task; carries the encoded result."""

    def __init__(self, result: bytes) -> None:
        super().__init__("a task of this batch failed; Dask retries the batch")
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:
        return (_BatchFailed, (self.result,))


def _processing_on(keys: list[str], dask_scheduler: Any = None) -> list[str]:
    """On the scheduler: the addresses of the workers running the tasks ``keys``."""
    found = {getattr(getattr(dask_scheduler.tasks.get(key), "processing_on", None), "address", None) for key in keys}
    return sorted(a for a in found if a)


class _TaskInterrupted(Exception):
    """A task raised KeyboardInterrupt on a Dask worker; the caller gets KeyboardInterrupt, as on loky."""


_worker_share: int | None = None
_worker_share_lock = threading.Lock()


def _adopt_share(share: int) -> None:
    # Once per worker process (and again if the share changes): this worker's threads all get the same share.
    global _worker_share
    with _worker_share_lock:
        if _worker_share == share:
            return
        budget.adopt_worker_share(share)
        _worker_share = share


def _say(batch: BatchInfo | None, *, ended: bool) -> None:
    """Tell the scheduler that this worker started (or ended) the batch: (call token, first, worker, ended)."""
    if batch is None:
        return
    with contextlib.suppress(ValueError):  # not on a worker (a test calling it directly)
        worker = distributed.get_worker()
        worker.log_event(START_TOPIC, (batch.call, batch.first, worker.address, ended))


def _run_on_worker(fn: Callable[..., Any], share: int, batch: BatchInfo | None, retry_failures: bool,
                   *args: Any) -> Any:
    """Worker side of :meth:`DaskBackend.submit`: set the core budget, run the batch, explain import errors."""
    _adopt_share(share)  # noqa: PAR105  (per-worker state on purpose: the caller never needs it)
    _say(batch, ended=False)
    try:
        with _joblib_within_share():
            result = fn(*args)
        _say(batch, ended=True)
    except ImportError as exc:
        raise _import_error(exc) from None
    except KeyboardInterrupt:
        # Escaping a Dask worker thread, it would kill the worker and come back as KilledWorker; on loky it reaches
        # the caller as KeyboardInterrupt. Carry it as an ordinary exception and raise it there (``_relay``).
        raise _TaskInterrupted() from None
    if retry_failures and batch is not None and batch.failed is not None and batch.failed(result):
        raise _BatchFailed(bytes(result))
    return result


def _joblib_within_share() -> contextlib.AbstractContextManager[Any]:
    # A daemonic Dask worker (the default) cannot start loky processes: joblib would fall back to n_jobs=1 with a
    # warning. Threads within the share (LOKY_MAX_CPU_COUNT makes n_jobs=-1 resolve to it) use what the task owns.
    import multiprocessing

    if not multiprocessing.current_process().daemon:
        return contextlib.nullcontext()
    try:
        joblib: Any = importlib.import_module("joblib")
    except ImportError:
        return contextlib.nullcontext()
    config: contextlib.AbstractContextManager[Any] = joblib.parallel_config(backend="threading")
    return config


def _import_error(exc: ImportError) -> ModuleNotFoundError:
    module = exc.name or str(exc)
    try:
        where = distributed.get_worker().address
    except ValueError:
        where = "a Dask worker"
    return ModuleNotFoundError(
        f"Dask worker {where} cannot import module {module!r} needed by the task's function ({exc}). Install it "
        f"on every worker (pip install it there, or put it on the workers' PYTHONPATH), or send a single file "
        f"with client.upload_file('{module.replace('.', '/')}.py'); functions defined in __main__ or a notebook "
        "travel by value and need neither.", name=exc.name)
