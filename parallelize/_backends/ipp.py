"""IPython clusters (ipyparallel): batches run as tasks on a cluster's engines, through an ``ipyparallel.Client``.

Data flow (who owns which thread)::

    caller thread (scheduler)                          ipyparallel's client thread     engines
      share(SharedPayload) --DirectView.apply(_keep)-----------------------------------> every engine, once per call
      submit(run_batch, _EngineSpec, *payload, batch=BatchInfo)
        --LoadBalancedView.apply(_run_on_engine)--> AsyncResult ----------------------> an idle engine runs the batch
      <-- EngineFuture (a concurrent.futures.Future)
                                                       AsyncResult's done-callback: _relay translates failures

- **Broadcast once.** The call's pickled spec is pushed to every engine once per call (a module-level store on the
  engine, not the user's namespace); batches carry only its token, and go only to engines that hold it.
- **Failures.** User exceptions never fail an engine task: ``run_batch`` captures them per task. An engine that
  dies (segfault, ``os._exit``, out of memory) fails its batch with :class:`WorkerCrashedError`; ipyparallel does
  not restart engines, so later batches go to the engines left, and a cluster with none left fails at once.
- **Interrupts.** A late task (``timeout=``) and the tasks running at Ctrl-C get SIGINT on their engine, which
  ends the task and keeps the engine. An interrupt that reaches the engine's next task instead (the late one
  finished just before it) reruns that task: a task's result never depends on when the signal arrived.
- **Budget.** Each task's core share is its engine host's usable cores divided by the engines on that host.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import threading
import time
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import ipyparallel
from ipyparallel.error import RemoteError

from parallelize._backends.base import BatchInfo, Capabilities, SharedPayload
from parallelize._errors import BackendUnavailableError, ParallelizeWarning, WorkerCrashedError
from parallelize._scheduler import budget

R = TypeVar("R")

__all__ = ["IPyParallelBackend"]

#: How long the engine list is trusted before asking the controller again.
INFO_SECONDS = 2.0
#: How many interrupted-by-mistake reruns a batch may get before its KeyboardInterrupt is reported.
RERUNS = 3

_new_cluster: Callable[..., Any] = ipyparallel.Cluster
_warned_local = False
_live: weakref.WeakSet[IPyParallelBackend] = weakref.WeakSet()


@dataclass(frozen=True)
class _EngineSpec:
    """What a batch carries instead of the call's spec: its token, and the engines that hold it."""

    token: str
    targets: tuple[int, ...]


class IPyParallelBackend:
    """Run parallelize batches on the engines of an IPython cluster (ipyparallel).

    ``config(backend="ipyparallel")`` builds one for you; pass ``profile=`` or ``url_file=`` to reach a running
    cluster (``ipcluster start -n 4``), or an ``ipyparallel.Client`` as ``backend=``.

    Args:
        cluster: ``None`` (a running cluster named by ``profile`` or ``url_file``; with neither, a local
            ``ipyparallel.Cluster`` on 127.0.0.1 sized to this machine, said once with a
            :class:`ParallelizeWarning`), or an ``ipyparallel.Client``.
        profile: the IPython profile of a running cluster (``ipcluster start --profile NAME``).
        url_file: the cluster's ``ipcontroller-client.json``.
        timeout: seconds to wait for the controller and its first engine when connecting (default 30).

    Raises:
        BackendUnavailableError: the cluster cannot be reached, or it has no engine, within ``timeout``.
    """

    name = "ipyparallel"
    capabilities = Capabilities(processes=True, shares_memory=False, can_kill=False, remote=True)

    def __init__(self, cluster: Any = None, *, profile: str | None = None, url_file: str | None = None,
                 timeout: float | None = None) -> None:
        if cluster is not None and not isinstance(cluster, ipyparallel.Client):
            raise ValueError(f"cluster={cluster!r} must be None or an ipyparallel.Client")
        self._setting = cluster
        self._profile = profile
        self._url_file = url_file
        self._timeout = 30.0 if timeout is None else float(timeout)
        self._lock = threading.RLock()
        self._client: Any = None
        self._cluster: Any = None
        self._owned = False
        self._views: dict[tuple[int, ...], Any] = {}
        self._info: tuple[float, list[int]] | None = None
        self._budget: tuple[frozenset[int], int] | None = None
        self._pending: set[EngineFuture[Any]] = set()
        self._interrupted: dict[int, float] = {}  # engine id -> when we last sent it SIGINT
        self._connect()
        _live.add(self)

    # -- connection ---------------------------------------------------------------------------------------------
    def _connect(self) -> Any:
        with self._lock:
            if self._client is not None:
                return self._client
            if self._setting is not None:
                client, owned = self._setting, False
            elif self._profile is not None or self._url_file is not None:
                client, owned = self._reach(), False
            else:
                client, owned = self._start_local(), True
            self._client, self._owned = client, owned
            self._views.clear()
            self._info = None
            self._budget = None
            return client

    def _reach(self) -> Any:
        where = f"url_file={self._url_file!r}" if self._url_file else f"profile={self._profile!r}"
        try:
            # The connection file goes first, positionally: ipyparallel 9 ignores its own ``url_file=`` keyword.
            client = ipyparallel.Client(self._url_file, profile=self._profile, timeout=self._timeout)
            client.wait_for_engines(1, timeout=self._timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BackendUnavailableError(
                f"cannot reach an IPython cluster with {where} within {self._timeout:g}s "
                f"({type(exc).__name__}: {exc}). Start one with `ipcluster start -n 4` (add --profile NAME for "
                "a profile), or check the profile name or the path of ipcontroller-client.json."
            ) from exc
        return client

    def _start_local(self) -> Any:
        global _warned_local
        engines = budget.machine_cpus()
        try:
            self._cluster = _new_cluster(n=engines, controller_ip="127.0.0.1", log_level=40)
            client = self._cluster.start_and_connect_sync()
            client.wait_for_engines(engines, timeout=max(self._timeout, 60.0))
        except Exception as exc:
            with contextlib.suppress(Exception):
                self._cluster.stop_cluster_sync()
            self._cluster = None
            raise BackendUnavailableError(
                f"backend='ipyparallel' could not start a local IPython cluster ({type(exc).__name__}: {exc}); "
                "start one yourself with `ipcluster start -n 4` and pass config(backend='ipyparallel', "
                "profile='default')") from exc
        if not _warned_local:
            _warned_local = True
            warnings.warn(
                f"backend='ipyparallel' found no cluster to use, so parallelize started one on 127.0.0.1 "
                f"({engines} engines); to use yours, pass config(backend='ipyparallel', profile=...) or "
                "url_file=..., or an ipyparallel.Client as backend=", ParallelizeWarning, stacklevel=2)
        return client

    @property
    def client(self) -> Any:
        """The ``ipyparallel.Client`` batches are submitted through (reconnecting after :meth:`shutdown`)."""
        return self._connect()

    # -- sizes and budget ---------------------------------------------------------------------------------------
    def _engines(self) -> list[int]:
        now = time.monotonic()
        info = self._info
        if info is None or now - info[0] > INFO_SECONDS:
            info = (now, list(self.client.ids))
            self._info = info
        return info[1]

    @property
    def n_workers(self) -> int:
        """How many engines the cluster has, at least one."""
        return max(1, len(self._engines()))

    @property
    def task_budget(self) -> int:
        """Cores each running task may use: per host, usable cores // engines there (the smallest)."""
        engines = self._engines()
        key = frozenset(engines)
        cached = self._budget
        if cached is not None and cached[0] == key:
            return cached[1]
        share = 1
        if engines:
            hosts: list[tuple[str, int]] = self.client[engines].apply_sync(_host_and_cpus)
            share = budget.share_per_host((host, cpus, 1) for host, cpus in hosts)
        self._budget = (key, share)
        return share

    # -- the Backend protocol -----------------------------------------------------------------------------------
    def share(self, obj: SharedPayload) -> Any:
        """Push ``obj`` (the call's encoded spec) to every engine once; batches then carry its token."""
        engines = list(self.client.ids)
        if not engines:
            raise WorkerCrashedError("the IPython cluster has no engine left to run tasks on; start engines "
                                     "(`ipengine`, or ipyparallel.Cluster.start_engines) and call again", [])
        # ipyparallel sends numpy buffers as their own zmq frames, without copying them into a pickle.
        self.client[engines].apply_sync(_keep, obj.token, obj.framed())
        return _EngineSpec(obj.token, tuple(engines))

    def submit(self, fn: Callable[..., R], /, *args: Any, batch: BatchInfo | None = None) -> Future[R]:
        """Run ``fn(*args)`` on an idle engine holding the call's spec; return a ``concurrent.futures.Future``."""
        outer: EngineFuture[R] = EngineFuture(self, fn, args, batch.first if batch is not None else None)
        with self._lock:
            self._pending.add(outer)
        self._send(outer)
        return outer

    def _send(self, outer: EngineFuture[Any]) -> None:
        ref = outer.args[0] if outer.args and isinstance(outer.args[0], _EngineSpec) else None
        alive = [e for e in self.client.ids if ref is None or e in ref.targets]
        if not alive:
            self._finish(outer, error=WorkerCrashedError(
                f"no engine that holds this call's data is left (the batch starting at task {outer.first}); "
                "the engines died or were stopped. Start engines and call again.", _first(outer)))
            return
        view = self._views.get(tuple(alive))
        if view is None:
            view = self._views[tuple(alive)] = self.client.load_balanced_view(targets=alive)
        outer.sent = time.monotonic()
        inner = view.apply_async(_run_on_engine, outer.fn, self.task_budget, *outer.args)
        outer.inner = inner
        inner.add_done_callback(lambda done: self._relay(done, outer))

    def _relay(self, done: Any, outer: EngineFuture[Any]) -> None:
        if outer.cancelled():
            self._finish(outer)
            return
        try:
            value = done.result()
        except RemoteError as exc:
            self._remote_failure(exc, done, outer)
        except BaseException as exc:
            self._finish(outer, error=exc)
        else:
            self._finish(outer, value=value)

    def _remote_failure(self, exc: RemoteError, done: Any, outer: EngineFuture[Any]) -> None:
        first = outer.first
        if exc.ename == "EngineError":
            self._info = None  # the engine list changed
            self._finish(outer, error=WorkerCrashedError(
                f"the IPython engine running the batch starting at task {first} died ({exc.evalue}); a task that "
                "kills its process (segfault, os._exit, out of memory) ends here, and ipyparallel does not "
                "restart engines: the batches left run on the engines that remain.", _first(outer)))
        elif exc.ename == "KeyboardInterrupt":
            engine = (getattr(exc, "engine_info", None) or {}).get("engine_id")
            engine = engine if isinstance(engine, int) else _engine_of(done)
            sent = self._interrupted.get(engine) if engine is not None else None
            if sent is not None and sent >= outer.sent and outer.reruns < RERUNS:
                # Our SIGINT was meant for another task that had just finished on this engine: run this one again.
                outer.reruns += 1
                self._send(outer)
                return
            self._finish(outer, error=KeyboardInterrupt(f"raised by a task of the batch starting at task {first}"))
        elif exc.ename in ("ModuleNotFoundError", "ImportError"):
            self._finish(outer, error=ModuleNotFoundError(
                f"IPython engine {_engine_of(done)} cannot import a module needed by the task's function "
                f"({exc.evalue}). Install it on every engine, or put it on the engines' PYTHONPATH; functions "
                "defined in __main__ or a notebook travel by value and need neither."))
        else:
            self._finish(outer, error=exc)

    def _finish(self, outer: EngineFuture[Any], *, value: Any = None, error: BaseException | None = None) -> None:
        with self._lock:
            self._pending.discard(outer)
        with contextlib.suppress(Exception):  # InvalidStateError: cancelled meanwhile
            if error is not None:
                outer.set_exception(error)
            elif not outer.cancelled():
                outer.set_result(value)
        outer.inner = None

    def cancel(self, futures: Iterable[Future[Any]]) -> None:
        """Cancel the futures; tasks still queued at the controller are aborted there."""
        queued = []
        for future in futures:
            if isinstance(future, EngineFuture) and future.inner is not None:
                queued.extend(future.inner.msg_ids)
            Future.cancel(future)
        if queued and self._client is not None:
            with contextlib.suppress(Exception):
                self._client.abort(queued, block=False)

    def stop_running(self, futures: Iterable[Future[Any]]) -> str | None:
        """Cancel ``futures`` and interrupt (SIGINT) the engines running them; the engines stay up.

        Returns what was done, for the caller's error message, or None when no engine could be signalled.
        """
        futures = list(futures)
        engines = {e for f in futures if isinstance(f, EngineFuture) and f.inner is not None
                   for e in [_engine_of(f.inner)] if e is not None}
        self.cancel(futures)
        client = self._client
        if not engines or client is None:
            return None
        now = time.monotonic()
        for engine in engines:
            self._interrupted[engine] = now
        try:
            client.send_signal(signal.SIGINT, targets=sorted(engines), block=True)
        except Exception:
            return None
        return "its IPython engine was interrupted (SIGINT) and goes on with other tasks"

    def shutdown(self, *, wait: bool = True, kill: bool = False) -> None:
        """Cancel this backend's outstanding tasks (``kill``: interrupt the running ones too); stop the cluster
        only if parallelize started it."""
        with self._lock:
            pending = list(self._pending)
        if pending:
            if kill:
                self.stop_running(pending)
            self.cancel(pending)
        with self._lock:
            client, self._client = self._client, None
            cluster, self._cluster = self._cluster, None
            self._pending = set()
            owned = self._owned
        if client is None:
            return
        if owned and cluster is not None:
            with contextlib.suppress(Exception):
                cluster.stop_cluster_sync()
        with contextlib.suppress(Exception):
            client.close()

    def __repr__(self) -> str:
        client = self._client
        where = getattr(client, "_config", {}).get("registration") if client is not None else None
        return f"<IPyParallelBackend engines={len(client.ids) if client is not None else '?'} at={where!r}>"


class EngineFuture(Future[R]):
    """A ``concurrent.futures.Future`` completed from an ipyparallel ``AsyncResult`` (rerun if interrupted by
    mistake)."""

    def __init__(self, backend: IPyParallelBackend, fn: Callable[..., R], args: tuple[Any, ...],
                 first: int | None) -> None:
        super().__init__()
        self.backend = backend
        self.fn = fn
        self.args = args
        self.first = first
        self.inner: Any = None
        self.sent = 0.0
        self.reruns = 0


def _first(outer: EngineFuture[Any]) -> list[int]:
    return [outer.first] if outer.first is not None else []


def _engine_of(result: Any) -> int | None:
    """The engine running or that ran ``result``'s task (known once the engine says it is busy), or None."""
    with contextlib.suppress(Exception):
        # The client's metadata, not ``result.engine_id``: that waits for the task to finish.
        engine = result._client.metadata[result.msg_ids[0]].get("engine_id")
        if isinstance(engine, int):
            return engine
    return None


# -- engine side ----------------------------------------------------------------------------------------------------
_specs: OrderedDict[str, Any] = OrderedDict()
_specs_lock = threading.Lock()
_engine_share: int | None = None


def _keep(token: str, spec: Any) -> None:
    """On an engine: hold a call's spec for its batches (the last 8 calls)."""
    with _specs_lock:
        _specs[token] = spec
        _specs.move_to_end(token)
        while len(_specs) > 8:
            _specs.popitem(last=False)


def _host_and_cpus() -> tuple[str, int]:
    import socket

    return socket.gethostname(), budget.machine_cpus()


def _run_on_engine(fn: Callable[..., Any], share: int, *args: Any) -> Any:
    """Engine side of :meth:`IPyParallelBackend.submit`: set the core budget, find the call's spec, run the batch."""
    global _engine_share
    if _engine_share != share:
        budget.adopt_worker_share(share)
        _engine_share = share
    if args and isinstance(args[0], _EngineSpec):
        with _specs_lock:
            spec = _specs.get(args[0].token)
        if spec is None:
            raise RuntimeError("this engine no longer holds the call's data (more than 8 calls ran since); "
                               "call again")
        args = (spec, *args[1:])
    return fn(*args)


@atexit.register
def _shutdown_all() -> None:
    for backend in list(_live):
        backend.shutdown(wait=False, kill=True)
