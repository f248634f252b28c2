"""Dask distributed: batches run as tasks on a cluster's workers, through a ``distributed.Client``.

Data flow (who owns which thread)::

    caller thread (scheduler)                         Dask client loop thread      cluster
      share(SharedPayload) --client.scatter(broadcast)-----------------------------> every worker, once per call
      submit(run_batch, shared, *payload, batch=BatchInfo)
        --client.submit(_run_on_worker, pure=False)--> dask Future ----------------> a worker thread runs the batch
      <-- DaskFuture (a concurrent.futures.Future)
                                                      "Dask-Callback-Thread": _relay fetches the result bytes,
                                                      translates Dask's failures and completes the DaskFuture

- **Unique keys.** Every batch is submitted with ``pure=False``: seeded or random batches are never merged.
- **Broadcast once.** The call's pickled spec (function, broadcast arguments) is scattered to every worker once per
  call and each batch carries only a reference to it; workers decode it once (``payload.load_spec`` caches it).
- **Failures.** User exceptions never fail a Dask task: ``run_batch`` captures them per task. What does fail one is
  the cluster's business: ``KilledWorker`` (the batch's worker died ``allowed-failures`` + 1 times) and a lost
  scheduler become :class:`WorkerCrashedError`; a worker that cannot import the user's module raises
  ``ModuleNotFoundError`` saying how to install it there. A worker killed once is not a failure: Dask reschedules
  its tasks and the map finishes, each result delivered once (the scheduler reorders by task index).
- **Budget.** Each task's core share is its worker host's usable cores divided by the worker threads on that host
  (``task_budget``); on the worker, ``dask_worker._run_on_worker`` caps BLAS pools and joblib
  (``LOKY_MAX_CPU_COUNT``) to it, and in a daemonic worker (Dask's default, which may not start processes) runs
  joblib on threads.

What runs on the workers and the scheduler lives in :mod:`parallelize._backends.dask_worker`; this module is the
caller's side.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import CancelledError, Future
from typing import Any, TypeVar

import distributed
from distributed import Client, KilledWorker

from parallelize._backends.base import BatchInfo, Capabilities, SharedPayload
from parallelize._backends.dask_worker import (
    START_TOPIC,
    _BatchFailed,
    _processing_on,
    _run_on_worker,
    _TaskInterrupted,
)
from parallelize._errors import BackendUnavailableError, ParallelizeWarning, WorkerCrashedError
from parallelize._scheduler import budget

R = TypeVar("R")

# distributed ships few annotations: its objects are handled as Any here, behind these typed names.
DaskFutureType = Any
_new_client: Callable[..., Any] = Client
_new_local_cluster: Callable[..., Any] = distributed.LocalCluster

__all__ = ["DaskBackend", "describe_cluster"]

#: How many times a batch that never started is sent again after the call's scattered data was lost (a batch that
#: started each time fails after ``distributed.scheduler.allowed-failures`` + 1 runs, as Dask's KilledWorker).
RESENDS = 50
#: Seconds to wait for workers to take the call's data again (they may all be restarting).
RESCATTER_TIMEOUT = 60.0

#: How long the cluster's worker list is trusted before asking the scheduler again (workers come and go; a
#: scheduler round trip per batch would cost more than small batches do).
INFO_SECONDS = 2.0

_warned_local = False
_live: weakref.WeakSet[DaskBackend] = weakref.WeakSet()


class DaskBackend:
    """Run parallelize batches on a Dask cluster.

    ``config(backend="dask")`` builds one for you. Build it yourself to pass Dask's own task options through::

        backend = DaskBackend("tcp://10.0.0.5:8786", retries=2, resources={"GPU": 1})
        simulate = parallel_for(backend=backend)(simulate)

    Args:
        cluster: ``None`` (the current ``distributed.Client``; without one, a ``LocalCluster`` on 127.0.0.1
            sized to this machine, said once with a :class:`ParallelizeWarning`), a scheduler address
            (``"tcp://host:8786"``) or a ``distributed.Client``.
        retries: run a batch again, up to this many times, when one of its tasks raised (with ``batch_size=1``,
            per task). The last attempt's outcome is reported.
        resources: Dask worker resources each batch needs, e.g. ``{"GPU": 1}``; only workers started with them
            (``dask worker ... --resources GPU=1``) run the batches.
        timeout: seconds to wait for the scheduler when connecting (default: Dask's
            ``distributed.comm.timeouts.connect``).

    Raises:
        BackendUnavailableError: the scheduler cannot be reached within ``timeout``.
    """

    name = "dask"
    capabilities = Capabilities(processes=True, shares_memory=False, can_kill=False, remote=True)

    def __init__(self, cluster: str | Client | None = None, *, retries: int = 0,
                 resources: Mapping[str, float] | None = None, timeout: float | None = None) -> None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries={retries!r} is not allowed; use a non-negative integer")
        if cluster is not None and not isinstance(cluster, (str, Client)):
            raise ValueError(f"cluster={cluster!r} must be None, a scheduler address such as "
                             "'tcp://127.0.0.1:8786', or a distributed.Client")
        self._setting = cluster
        self._retries = retries
        self._resources = dict(resources) if resources else None
        self._timeout = timeout
        self._lock = threading.RLock()
        self._client: Any = None
        self._owned_client = False
        self._cluster: Any = None
        self._pending: set[DaskFutureType] = set()
        self._budget_cache: tuple[frozenset[str], int] | None = None
        self._info: tuple[float, dict[str, Any]] | None = None
        self._sources: dict[str, Any] = {}  # scattered key -> what was scattered (for a re-scatter)
        self._rescattered: dict[str, Any] = {}  # scattered key -> the future of its fresh copy
        self._deaths: dict[tuple[str, int | None], int] = {}  # (call token, batch) -> workers it was on that died
        self._connect()
        _live.add(self)

    # -- connection ---------------------------------------------------------------------------------------------
    def _connect(self) -> Any:
        with self._lock:
            client = self._client
            if client is not None and client.status not in ("closing", "closed"):
                return client
            setting = self._setting
            if isinstance(setting, Client):
                client, owned = setting, False
            elif isinstance(setting, str):
                client, owned = _connect_address(setting, self._timeout), True
            else:
                current = _current_client()
                client, owned = (current, False) if current is not None else (self._start_local(), True)
            self._client, self._owned_client = client, owned
            self._budget_cache = None
            self._info = None
            return client

    def _start_local(self) -> Any:
        global _warned_local
        workers = budget.machine_cpus()
        self._cluster = _new_local_cluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
            # No dashboard; the scheduler's small HTTP endpoint (health, metrics) on a free loopback port, so a
            # cluster already on :8787 causes no warning.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        if not _warned_local:
            _warned_local = True
            warnings.warn(
                f"backend='dask' found no running distributed.Client, so parallelize started a LocalCluster on "
                f"127.0.0.1 ({workers} workers x 1 thread, scheduler {self._cluster.scheduler_address}); to use a "
                "cluster, create a distributed.Client first or pass config(backend='dask', address='tcp://...')",
                ParallelizeWarning, stacklevel=2)
        return _new_client(self._cluster, set_as_default=False)

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` batches are submitted through (reconnecting after :meth:`shutdown`)."""
        return self._connect()

    # -- sizes and budget ---------------------------------------------------------------------------------------
    def _workers(self) -> dict[str, Any]:
        # Read once per INFO_SECONDS: the scheduler reads n_workers and task_budget for every call and batch.
        now = time.monotonic()
        info = self._info
        if info is None or now - info[0] > INFO_SECONDS:
            info = (now, self.client.scheduler_info(n_workers=-1).get("workers", {}))
            self._info = info
        workers = info[1]
        if self._resources:
            needs = self._resources
            workers = {a: w for a, w in workers.items()
                       if all(w.get("resources", {}).get(k, 0) >= v for k, v in needs.items())}
        return workers

    @property
    def n_workers(self) -> int:
        """Total worker threads of the cluster (of the workers holding ``resources``), at least one."""
        return max(1, sum(int(w.get("nthreads", 1)) for w in self._workers().values()))

    @property
    def task_budget(self) -> int:
        """Cores each running task may use: per host, usable cores // worker threads there (the smallest)."""
        workers = self._workers()
        key = frozenset(workers)
        cached = self._budget_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        share = 1
        if workers:
            # A worker that dies meanwhile (a batch of this call killed it) does not answer; it must not fail the
            # call here, before the crash is handled where it belongs (the batch's own future).
            cpus: dict[str, int] = self.client.run(budget.machine_cpus, workers=list(workers), on_error="ignore")
            share = budget.share_per_host(
                (str(info.get("host", address)), int(cpus.get(address, 1)), int(info.get("nthreads", 1)))
                for address, info in workers.items() if address in cpus)
            if len(cpus) < len(workers):
                return share  # measured again next time, when the cluster is whole
        self._budget_cache = (key, share)
        return share

    # -- the Backend protocol -----------------------------------------------------------------------------------
    def share(self, obj: SharedPayload) -> Any:
        """Scatter ``obj`` (the call's encoded spec) to every worker once; batches then carry a reference."""
        # Dask sends numpy buffers as raw frames but copies and pickles plain bytes again, hence the framed views.
        # Workers in this process (LocalCluster(processes=False)) get scattered objects without a copy; the
        # arrays' buffers must then be copied here, or tasks would read the caller's memory as it changes.
        in_process = str(getattr(self.client.scheduler, "address", "")).startswith("inproc")
        obj = obj.framed(copy=in_process)
        scattered = self.client.scatter(obj, broadcast=True, hash=False)
        # Kept while the caller holds the reference: scattered data has no task to recompute it from, so when every
        # worker holding it has died (a task that kills each worker it lands on), it is scattered again from here.
        key = scattered.key
        with self._lock:
            self._sources[key] = obj
        weakref.finalize(scattered, self._forget_source, key)
        return scattered

    def _forget_source(self, key: str) -> None:
        with self._lock:
            self._sources.pop(key, None)
            self._rescattered.pop(key, None)

    def submit(self, fn: Callable[..., R], /, *args: Any, batch: BatchInfo | None = None) -> Future[R]:
        """Run ``fn(*args)`` as a Dask task with a unique key; return a ``concurrent.futures.Future``."""
        outer: DaskFuture[R] = DaskFuture(None)
        self._send(outer, fn, args, batch, 0)
        return outer

    def _send(self, outer: DaskFuture[Any], fn: Callable[..., Any], args: tuple[Any, ...], batch: BatchInfo | None,
              resent: int) -> None:
        shared = args[0] if args else None
        with self._lock:
            replacement = self._rescattered.get(str(getattr(shared, "key", "")))
        sent = (replacement, *args[1:]) if replacement is not None else args
        inner = self.client.submit(_run_on_worker, fn, self.task_budget, batch, self._retries > 0, *sent,
                                   pure=False, retries=self._retries or None, resources=self._resources)
        outer.inner = inner
        with self._lock:
            self._pending.add(inner)
        inner.add_done_callback(lambda done: self._relay(done, outer, batch, (fn, args, resent)))

    def _rescatter(self, shared: Any) -> bool:
        """Scatter the data behind ``shared`` again after every replica was lost; False if it is not ours."""
        key = str(getattr(shared, "key", ""))
        with self._lock:
            source = self._sources.get(key)
            current = self._rescattered.get(key)
        if source is None or (current is None and shared.status == "finished"):
            return False  # not ours, or still held: the batch was dropped for another reason
        if current is not None and current.status == "finished":
            return True  # another batch of the call has scattered it again already
        fresh = self.client.scatter(source, broadcast=True, hash=False, timeout=RESCATTER_TIMEOUT)
        with self._lock:
            self._rescattered[key] = fresh
        return True

    def _relay(self, done: DaskFutureType, outer: DaskFuture[Any], batch: BatchInfo | None,
               resend: tuple[Callable[..., Any], tuple[Any, ...], int]) -> None:
        with self._lock:
            self._pending.discard(done)
        if outer.cancelled():
            return
        fn, args, resent = resend
        first = batch.first if batch is not None else None
        try:
            value = done.result()
        except CancelledError as exc:
            try:
                if self._resend_after_loss(outer, fn, args, batch, resent):
                    return
            except Exception as failure:  # the cluster would not take it again: say so, never leave it pending
                self._dropped(outer, first, failure)
            else:
                self._dropped(outer, first, exc)
        except _BatchFailed as exc:  # retries spent: report the last attempt's outcome as usual
            _complete(outer, value=exc.result)
        except _TaskInterrupted:
            _complete(outer, error=KeyboardInterrupt(f"raised by a task of the batch starting at task {first}"))
        except KilledWorker as exc:
            _complete(outer, error=WorkerCrashedError(
                f"Dask gave up on the batch starting at task {first}: every worker that ran it died "
                f"({type(exc).__name__}: {exc}). Dask retries a task whose worker died up to "
                "distributed.scheduler.allowed-failures times; a task that always kills its worker (segfault, "
                "os._exit, out of memory) ends here.", [first] if first is not None else []))
        except BaseException as exc:
            _complete(outer, error=exc)
        else:
            _complete(outer, value=value)
        outer.release()

    def _resend_after_loss(self, outer: DaskFuture[Any], fn: Callable[..., Any], args: tuple[Any, ...],
                           batch: BatchInfo | None, resent: int) -> bool:
        """Handle a batch dropped by the scheduler: True if it was sent again (or failed as a killer), False if
        its data was not lost (another cause: the caller reports it as dropped)."""
        if not args or resent >= RESENDS or not self._rescatter(args[0]):
            return False
        # The call's scattered data died with the workers that held it (the scheduler says "lost dependencies" or
        # "already forgotten"). A batch that had started was on one of them when it died: Dask's own count
        # (allowed-failures) restarts with each new key, so it is kept here.
        deaths = self._count_death(batch)
        if deaths <= _allowed_failures():
            self._send(outer, fn, args, batch, resent + 1)
        else:
            self._killed(outer, batch.first if batch is not None else None, deaths)
        return True

    def _count_death(self, batch: BatchInfo | None) -> int:
        """Count one more death for ``batch`` if the worker it last started on is gone; return its deaths so far.
        (Each resend is a new Dask key, so Dask's own count starts again at zero.)"""
        if batch is None:
            return 0
        token, first = batch.call, batch.first
        try:
            events = self.client.get_events(START_TOPIC)
            alive = set(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        except Exception:
            return 0
        last = None
        for _time, msg in events:
            if tuple(msg[:2]) == (token, first):
                last = msg
        # Died with its worker: it started there, never ended, and that worker is gone. (A batch that ended and
        # whose result was lost with its worker is only sent again.)
        died = last is not None and not last[3] and last[2] not in alive
        key = (str(token), first)
        with self._lock:
            deaths = self._deaths.get(key, 0) + died
            self._deaths[key] = deaths
        return deaths

    def _killed(self, outer: DaskFuture[Any], first: int | None, deaths: int) -> None:
        _complete(outer, error=WorkerCrashedError(
            f"the worker running the batch starting at task {first} died each time it ran ({deaths} times, more "
            "than distributed.scheduler.allowed-failures), taking the call's scattered data with it; a task that "
            "kills its worker (segfault, os._exit, out of memory) ends here. The call's other tasks ran with the "
            "data sent again.", [first] if first is not None else []))

    def _dropped(self, outer: DaskFuture[Any], first: int | None, exc: BaseException) -> None:
        _complete(outer, error=WorkerCrashedError(
            f"the Dask scheduler dropped the batch starting at task {first} ({type(exc).__name__}: "
            f"{str(exc) or 'cancelled'}); the connection to the scheduler was lost or the cluster was closed.",
            [first] if first is not None else []))

    def cancel(self, futures: Iterable[Future[Any]]) -> None:
        """Cancel the Dask tasks behind ``futures`` (one message to the scheduler), then the futures."""
        futures = list(futures)
        inner = [f.inner for f in futures if isinstance(f, DaskFuture) and f.inner is not None]
        for future in futures:
            Future.cancel(future)
        client = self._client
        if inner and client is not None and client.status == "running":
            with contextlib.suppress(Exception):
                client.cancel(inner)

    def stop_running(self, futures: Iterable[Future[Any]]) -> str | None:
        """Drop the tasks behind ``futures`` and restart the worker processes running them (their nannies start
        fresh ones), so a stuck task stops occupying a worker thread that later tasks would queue behind.

        Returns what was done, for the caller's error message, or None where no worker could be restarted
        (workers without a nanny, a scheduler that refuses); the tasks are cancelled either way, and Dask reruns
        the other tasks of a restarted worker elsewhere.
        """
        futures = list(futures)
        keys = [f.inner.key for f in futures if isinstance(f, DaskFuture) and f.inner is not None]
        client = self._client
        workers: list[str] = []
        if keys and client is not None and client.status == "running":
            with contextlib.suppress(Exception):  # found before cancelling: a released task has no worker
                workers = client.run_on_scheduler(_processing_on, keys)
        self.cancel(futures)
        if not workers:
            return None
        try:
            client.restart_workers(workers, timeout=30)
        except Exception:
            return None
        return "its Dask worker was restarted (Dask reruns that worker's other tasks elsewhere)"

    def shutdown(self, *, wait: bool = True, kill: bool = False) -> None:
        """Cancel this backend's outstanding tasks; close the client and cluster only if parallelize started them.

        A task already running on a worker cannot be interrupted by Dask; on a cluster parallelize started, the
        cluster is closed (ending it), otherwise it finishes there and its result is dropped.
        """
        with self._lock:
            client, self._client = self._client, None
            cluster, self._cluster = self._cluster, None
            pending, self._pending = list(self._pending), set()
            owned = self._owned_client
        if client is None:
            return
        if pending and client.status == "running":
            with contextlib.suppress(Exception):
                client.cancel(pending)
        if owned:
            with contextlib.suppress(Exception):
                client.close(timeout=10 if wait else 2)
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close(timeout=10 if wait else 2)

    def __repr__(self) -> str:
        client = self._client
        where = getattr(getattr(client, "scheduler", None), "address", None) if client is not None else None
        return f"<DaskBackend scheduler={where or self._setting!r}>"


class DaskFuture(Future[R]):
    """A ``concurrent.futures.Future`` completed from a Dask future; cancelling it cancels the Dask task."""

    def __init__(self, inner: DaskFutureType) -> None:
        super().__init__()
        self.inner: DaskFutureType = inner

    def cancel(self) -> bool:
        # Ours first, so the relay of a Dask cancellation finds it cancelled and reports nothing.
        inner = self.inner
        if not super().cancel():
            return False
        if inner is not None:
            with contextlib.suppress(Exception):
                inner.cancel()
        return True

    def release(self) -> None:
        """Drop the Dask future so the cluster can forget its result."""
        self.inner = None


def _complete(outer: Future[Any], *, value: Any = None, error: BaseException | None = None) -> None:
    with contextlib.suppress(Exception):  # InvalidStateError: cancelled meanwhile
        if error is not None:
            outer.set_exception(error)
        else:
            outer.set_result(value)


def _allowed_failures() -> int:
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures", 3))


def _connect_address(address: str, timeout: float | None) -> Any:
    import dask

    seconds = timeout if timeout is not None else dask.utils.parse_timedelta(
        dask.config.get("distributed.comm.timeouts.connect"), default="seconds")
    try:
        return _new_client(address, timeout=seconds, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendUnavailableError(
            f"cannot reach a Dask scheduler at {address!r} within {seconds:g}s ({type(exc).__name__}: {exc}). "
            "Start one with `dask scheduler --host 127.0.0.1 --port 8786` and workers with "
            "`dask worker tcp://127.0.0.1:8786`, or check the address and firewall."
        ) from exc


def _current_client() -> Any:
    try:
        client = distributed.get_client()
    except ValueError:
        return None
    return client if client.status == "running" else None


def describe_cluster() -> str:
    """Say, without connecting anywhere, which Dask cluster ``backend="dask"`` would use (``parallelize info``)."""
    from parallelize._config import resolve_setting

    address = resolve_setting("address")
    backend = resolve_setting("backend")
    if isinstance(backend, Client):
        return f"dask: the configured Client ({_client_summary(backend)})"
    if isinstance(backend, DaskBackend):
        return f"dask: {backend!r}"
    if address:
        return f"dask: scheduler at {address} (from config(address=...); not contacted)"
    current = _current_client()
    if current is not None:
        return f"dask: the current Client ({_client_summary(current)})"
    return (f"dask: no Client running; backend='dask' would start a LocalCluster on 127.0.0.1 with "
            f"{budget.machine_cpus()} workers x 1 thread")


def _client_summary(client: Any) -> str:
    try:
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        return f"scheduler {client.scheduler.address}, {len(workers)} workers, {threads} threads"
    except Exception as exc:  # a closed or unreachable client still gets a line
        return f"unavailable: {type(exc).__name__}: {exc}"


@atexit.register
def _shutdown_all() -> None:
    for backend in list(_live):
        backend.shutdown(wait=False, kill=True)

