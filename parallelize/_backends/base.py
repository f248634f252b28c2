"""The contract between the scheduler and the backends that run its batches.

A backend starts, runs and kills workers, and turns its own failure types into ours. Nothing else: batching,
ordering, retries, seeds, timeouts and errors live once, in the scheduler. What it sends is opaque to it: a call's
shared spec is a :class:`SharedPayload` (a token and a framed form, nothing of its encoding), a batch's arguments
are passed on as they are, and :class:`BatchInfo` says which batch they are. A backend needs ``submit``; the rest
has sensible defaults in :class:`BackendBase` (a backend written from scratch provides every member of
:class:`Backend`, as the cluster backends do). Implementations return standard ``concurrent.futures.Future``
objects (a Dask backend adapts its futures to them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

R = TypeVar("R")


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, declared once as data.

    Attributes:
        processes: tasks run in other processes, so payloads are pickled and results come back pickled.
        shares_memory: tasks see the caller's objects (serial, threads): nothing is copied.
        can_kill: a stuck task's worker can be killed and replaced (processes).
        remote: workers may sit on other machines, so local files (shared arrays) cannot reach them.
        in_caller: tasks run in the calling thread, one after the other (serial): they own the caller's global
            random state and all of its cores, and nothing can interrupt them.
    """

    processes: bool
    shares_memory: bool
    can_kill: bool
    remote: bool
    in_caller: bool = False


@dataclass(frozen=True)
class BatchInfo:
    """What a backend is told of a batch besides its payload (``submit``'s arguments, which it never unpacks).

    Attributes:
        call: The call's token, the same for every batch of one call.
        first: The index of the batch's first task: for the backend's messages ("the batch starting at task 12")
            and its own crash accounting.
        failed: Given the batch's result as the worker produced it, whether one of its tasks failed; for a backend
            that retries failed batches itself (Dask's ``retries=``). None where results are not encoded.
    """

    call: str
    first: int
    failed: Callable[[Any], bool] | None = None


class SharedPayload(Protocol):
    """What ``share`` receives on process and cluster backends: the call's encoded spec, opaque but for these."""

    #: Names the call's data; workers cache what they decoded by it.
    token: str

    def framed(self, *, copy: bool = False) -> Any:
        """The same payload with its large parts as numpy ``uint8`` views, which cluster transports (Dask,
        ipyparallel) send as frames of their own without copying; ``copy`` copies them first (for workers in
        the caller's own process, which would otherwise read the caller's arrays as they change)."""
        ...


@runtime_checkable
class Backend(Protocol):
    """What the scheduler needs from a backend."""

    name: str
    capabilities: Capabilities

    @property
    def n_workers(self) -> int:
        """How many tasks can run at once."""
        ...

    @property
    def task_budget(self) -> int | None:
        """Cores each running task may use, where the backend knows better than an even split of this machine's
        cores over ``n_workers`` (a cluster: per worker host); None for the even split."""
        ...

    def submit(self, fn: Callable[..., R], /, *args: Any, batch: BatchInfo | None = None) -> Future[R]:
        """Run ``fn(*args)`` on a worker; failures of the backend itself surface as our error types. ``batch``
        says which batch the arguments carry (None for work that is not a batch)."""
        ...

    def share(self, obj: Any) -> Any:
        """Make ``obj`` (sent with every batch of one call) cheap to send many times; return what to send. On
        process and cluster backends ``obj`` is a :class:`SharedPayload`; elsewhere the call's plain spec."""
        ...

    def cancel(self, futures: Iterable[Future[Any]]) -> None:
        """Cancel futures that have not started."""
        ...

    def stop_running(self, futures: Iterable[Future[Any]]) -> str | None:
        """Stop the tasks behind ``futures``, running ones included, without ending the whole pool (a cluster's late
        task, or Ctrl-C): return what was done, for the caller's error message, or None if nothing could be."""
        ...

    def shutdown(self, *, wait: bool = True, kill: bool = False) -> None:
        """Release the workers; ``kill`` ends them at once (stuck task, Ctrl-C). The next submit starts fresh."""
        ...


class BackendBase:
    """Defaults for the optional parts of :class:`Backend`."""

    name = "base"
    capabilities = Capabilities(processes=False, shares_memory=True, can_kill=False, remote=False)

    def __init__(self, n_workers: int, worker_env: Mapping[str, str] | None = None) -> None:
        self._n_workers = n_workers
        self._worker_env = dict(worker_env or {})

    @property
    def n_workers(self) -> int:
        """How many tasks can run at once."""
        return self._n_workers

    @property
    def task_budget(self) -> int | None:
        """None: the scheduler splits this machine's cores evenly over the workers."""
        return None

    def share(self, obj: Any) -> Any:
        """Return ``obj`` unchanged: most backends send it as it is."""
        return obj

    def cancel(self, futures: Iterable[Future[Any]]) -> None:
        """Cancel every future that has not started yet."""
        for future in futures:
            future.cancel()

    def stop_running(self, futures: Iterable[Future[Any]]) -> str | None:
        """A local pool stops running tasks by :meth:`shutdown` with ``kill`` (or cannot): nothing to do here."""
        return None

    def shutdown(self, *, wait: bool = True, kill: bool = False) -> None:
        """Nothing to release by default."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} n_workers={self._n_workers}>"


def completed_future(fn: Callable[..., R], *args: Any) -> Future[R]:
    """Run ``fn(*args)`` now and return a finished future holding its result or exception."""
    future: Future[R] = Future()
    try:
        future.set_result(fn(*args))
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        future.set_exception(exc)
    return future
