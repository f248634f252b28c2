"""The orchestrator: feeds batches to a backend and yields task outcomes as they complete.

Data flow (all in the caller's thread; the backend owns its own threads and processes)::

    items (lazy) --take--> batch --pickle (processes)--> backend.submit(run_batch) --> Future
         ^                                                                             |
         |  at most max_in_flight batches outstanding                                  v
    batch size <--- measured worker seconds per task <--- outcomes (index, ok, value) --+

- **Every task on the backend.** Nothing runs in the caller unless the backend is the caller (``serial``,
  ``n_jobs=1``): what is pickled, where a task's writes land and which errors come up never depend on how long a
  task takes. ``batch_size="auto"`` starts with one task per batch and grows from the times the workers report
  (see ``batching.py``).
- **Loop mode's first iterations** may run in the caller, bounded in time and under a worker's BLAS limit
  (``_in_caller``); map mode's never do.
- **Lazy dispatch.** Items are pulled only to fill ``max_in_flight`` batches, so endless generators work.
- **Timeouts.** With ``timeout`` every task is its own batch and only ``n_workers`` are in flight, so a batch
  starts when it is sent. A late task on processes gets its pool killed and replaced; the other tasks that were in
  flight are sent again (their results had not come back). Threads cannot be killed: the stuck one is abandoned.
- **Crashes** fail every task in flight on the dead pool (loky cannot say which worker held which task).
- **Ctrl-C** kills process workers and cancels everything before re-raising.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import time
import uuid
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, replace
from typing import Any

from parallelize._backends.base import Backend, BatchInfo
from parallelize._errors import SerializationError, TaskTimeoutError, WorkerCrashedError, describe_task_item
from parallelize._scheduler import budget
from parallelize._scheduler.arrays import ArrayStore
from parallelize._scheduler.batching import BatchSizer
from parallelize._scheduler.decoding import find_undecodable, tolerant_loads
from parallelize._scheduler.execution import (
    batch_failed,
    live_mark_path,
    run_batch,
    run_while_cheap,
    start_mark_path,
)
from parallelize._scheduler.ordering import Event
from parallelize._scheduler.payload import (
    CallSpec,
    pickle_items,
    pickle_spec,
    share_spec,
)
from parallelize._scheduler.seeding import preserved_global_state

#: Loop mode: the caller runs a loop's first iterations itself while each takes less than this (logging, sending
#: and replaying an iteration costs tens of microseconds, a round trip to a worker a few hundred) ...
SLOW_ITERATION_SECONDS = 2e-3
#: ... and until they took this much in all. Then the rest goes to the workers, whatever the first ones cost.
CALLER_BUDGET_SECONDS = 0.05
#: Batches outstanding per worker: two keeps every worker busy while results travel back.
IN_FLIGHT_PER_WORKER = 2



@dataclass
class _Batch:
    first: int
    items: list[Any]
    submitted: float


class Execution:
    """One run of a call's tasks on a backend; iterate :meth:`events` for outcomes in completion order."""

    def __init__(self, spec: CallSpec, items: Iterable[Any], backend: Backend, *, batch_size: int | None,
                 timeout: float | None, first_index: int = 0, caller_share: int | None = None) -> None:
        self.spec = spec
        self.backend = backend
        self.timeout = timeout
        self.total = _known_length(items)
        self._items = iter(items)
        caps = backend.capabilities
        self._processes = caps.processes
        n_workers = backend.n_workers
        self._sizer = BatchSizer(1 if timeout is not None else batch_size, n_workers)
        self._max_in_flight = n_workers if timeout is not None else IN_FLIGHT_PER_WORKER * n_workers
        # Loop mode's first iterations may run here (see _in_caller); never with options that need a worker, a
        # fixed dispatch or per-task seeds (only workers give each iteration its own stream).
        self._caller_share = (caller_share if timeout is None and batch_size is None and spec.init is None
                              and spec.seed is None and not caps.in_caller else None)
        #: Iterations the caller ran itself, and their seconds.
        self.caller_tasks = 0
        self.caller_seconds = 0.0
        #: Seconds of work the backend reported, summed over finished batches, and the tasks they ran.
        self.work_seconds = 0.0
        self.tasks_done = 0
        #: When the first batch was sent and the last result arrived (perf_counter), for the sizing advice.
        self.first_sent: float | None = None
        self.last_received: float | None = None
        self._store: ArrayStore | None = None
        self._shared: Any = None
        self._in_flight: dict[Future[Any], _Batch] = {}
        self._taken = 0
        self._token = uuid.uuid4().hex  # names this run's batches to the backend (BatchInfo.call)
        self._first_index = first_index  # the index of the first item (loop mode: iterations already run)
        # An exception raised by the input iterable itself: held until every item taken before it is done, as a
        # serial loop would have run them all before seeing it.
        self._input_error: BaseException | None = None

    # -- public -------------------------------------------------------------------------------------------------
    def events(self) -> Generator[Event, None, None]:
        """Yield one :data:`Event` per finished batch, in completion order; clean up however the caller stops."""
        caller_seeds = self.spec.seed is not None and self.backend.capabilities.in_caller
        try:
            with preserved_global_state(caller_seeds):
                if self._caller_share is not None:
                    yield from self._in_caller(self._caller_share)
                yield from self._dispatch()
            if self._input_error is not None:
                raise self._input_error
        except KeyboardInterrupt:
            self._abort(kill=True)
            raise
        finally:
            self._abort(kill=False)
            self.close()

    # -- loop mode: the first iterations in the caller ----------------------------------------------------------
    def _in_caller(self, share: int) -> Iterator[Event]:
        """Run iterations here, one at a time, while they are cheap; the rest of the input stays untaken.

        They run exactly as on a worker (the same compiled body, log and failure capture), under the BLAS/OpenMP
        limit and core budget of one worker, so an iteration gives the same result and the same error wherever it
        runs. It stops at the first iteration that took ``SLOW_ITERATION_SECONDS`` (it revealed the cost), after
        ``CALLER_BUDGET_SECONDS`` in all, or at a failure. Loop mode only: its analysis proved that the body
        changes nothing the caller sees except through its log, so placement cannot change the result.
        """
        spec = replace(self.spec, seed_globals=True, budget=share)

        def take_one() -> list[Any]:
            items = self._take(1)
            self._taken += len(items)
            return items

        first = self._first_index + self._taken
        with budget.limited_threads(share):
            seconds, values, failures, items = run_while_cheap(spec, first, take_one, SLOW_ITERATION_SECONDS,
                                                               CALLER_BUDGET_SECONDS)
        if not items:
            return
        self.caller_tasks += len(items)
        self.caller_seconds += seconds
        self._sizer.observe(len(items), seconds)  # what the rest's batches are sized from
        yield Event(first, values, failures, items)

    def send_one(self) -> Future[Any]:
        """Send the only item as a batch of its own, now, and return the backend's future (``.submit``)."""
        items = self._take(1)
        if self._input_error is not None:
            raise self._input_error
        with preserved_global_state(self.spec.seed is not None and self.backend.capabilities.in_caller):
            self._submit(_Batch(0, items, 0.0))
        self._taken = 1
        return next(iter(self._in_flight))

    def outcome(self, future: Future[Any]) -> Event:
        """The :data:`Event` of a future that :meth:`send_one` returned, once it is done."""
        return next(iter(self._collect(future)))

    def close(self) -> None:
        """Release what the run holds in the caller (shared arrays); safe to call twice."""
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- dispatch to the backend --------------------------------------------------------------------------------
    def _dispatch(self) -> Iterator[Event]:
        exhausted = False
        while True:
            while not exhausted and len(self._in_flight) < self._max_in_flight:
                remaining = None if self.total is None else self.total - self._taken
                chunk = self._take(self._sizer.next_size(remaining))
                if not chunk:
                    exhausted = True
                    break
                first = self._first_index + self._taken
                self._taken += len(chunk)
                self._submit(_Batch(first, chunk, 0.0))
            if not self._in_flight:
                return
            done, _ = wait(list(self._in_flight), timeout=self._wait_seconds(), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: self._in_flight[f].first):
                if future in self._in_flight:  # a crash drains every batch of the dead pool at once
                    yield from self._collect(future)
            if self.timeout is not None:
                yield from self._expire()

    @property
    def per_task(self) -> float | None:
        """Measured seconds of work per task (moving average), once anything was measured."""
        return self._sizer.per_task

    def _take(self, count: int) -> list[Any]:
        """Pull up to ``count`` items; an error from the iterable ends the input and is raised at the end."""
        if self._input_error is not None:
            return []
        taken: list[Any] = []
        try:
            taken.extend(itertools.islice(self._items, count))
        except Exception as exc:
            self._input_error = exc
        return taken

    def _submit(self, batch: _Batch) -> None:
        batch.submitted = time.monotonic()
        if self.first_sent is None:
            self.first_sent = time.perf_counter()
        if self._processes:
            if self._shared is None:
                self._store = ArrayStore() if not self.backend.capabilities.remote else None
                if self.timeout is not None and self._store is not None:
                    self.spec = replace(self.spec, start_marks=self._store.directory())
                if self._store is not None:
                    live = live_mark_path(self._store.directory())
                    open(live, "w").close()
                    self.spec = replace(self.spec, live_mark=live)
                if self._store is not None:
                    self._shared = self.backend.share(share_spec(pickle_spec(self.spec, self._store), self._spec_dir))
                else:  # remote workers: large arrays travel beside the pickle, as raw frames
                    buffers: list[pickle.PickleBuffer] = []
                    data = pickle_spec(self.spec, None, buffers)
                    self._shared = self.backend.share(share_spec(data, None, buffers))
            payload: Any = pickle_items(batch.items, batch.first, self._store, self.spec.fn)
        else:
            if self._shared is None:
                self._shared = self.backend.share(self.spec)
            payload = batch.items
        info = BatchInfo(self._token, batch.first, batch_failed if self._processes else None)
        future = self.backend.submit(run_batch, self._shared, batch.first, payload, self._processes, batch=info)
        self._in_flight[future] = batch

    def _spec_dir(self) -> str:
        assert self._store is not None
        return self._store.directory()

    def _collect(self, future: Future[Any]) -> Iterator[Event]:
        batch = self._in_flight.pop(future)
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            if isinstance(exc, WorkerCrashedError):
                yield from self._crashed(batch, exc)
                return
            raise exc
        result = future.result()
        seconds, values, failures = decode_result(result, batch.first) if self._processes else result
        self._sizer.observe(len(values), seconds)
        self.work_seconds += seconds
        self.tasks_done += len(values)
        self.last_received = time.perf_counter()
        yield Event(batch.first, values, failures, batch.items)

    def _crashed(self, batch: _Batch, error: WorkerCrashedError) -> Iterator[Event]:
        if self.backend.capabilities.remote:
            # A cluster reports each batch's loss on its own future (the others were rerun or are still fine).
            batches = [batch]
        else:
            # A broken local pool fails every future it held, and cannot say which worker had which batch.
            batches = sorted([batch, *self._in_flight.values()], key=lambda b: b.first)
            self._in_flight.clear()
        indices = [b.first + k for b in batches for k in range(len(b.items))]
        first_item = batches[0].items[0]
        where = "in that batch" if self.backend.capabilities.remote else "running or queued on the dead pool"
        crash = WorkerCrashedError(
            f"{error} Tasks {where}: {_span(indices)} (first: task {indices[0]}, "
            f"{describe_task_item(first_item)}).", indices)
        for b in batches:
            yield Event(b.first, [None] * len(b.items), {b.first + k: crash for k in range(len(b.items))}, b.items)

    def _started_at(self, batch: _Batch) -> float | None:
        """When the batch started on a worker (monotonic clock), or None if it is still queued."""
        if self.spec.start_marks is None:
            return batch.submitted
        try:
            mtime = os.stat(start_mark_path(self.spec.start_marks, batch.first)).st_mtime
        except OSError:
            return None
        return time.monotonic() - max(0.0, time.time() - mtime)

    def _wait_seconds(self) -> float | None:
        if self.timeout is None or not self._in_flight:
            return None
        starts = [s for s in map(self._started_at, self._in_flight.values()) if s is not None]
        if len(starts) < len(self._in_flight):
            return 0.05  # something is still queued: look again soon for its start mark
        return max(0.0, min(starts) + self.timeout - time.monotonic()) + 0.01

    def _expire(self) -> Iterator[Event]:
        assert self.timeout is not None
        now = time.monotonic()
        late = []
        for future, batch in self._in_flight.items():
            started = self._started_at(batch)
            if not future.done() and started is not None and now - started > self.timeout:
                late.append(future)
        if not late:
            return
        late_batches = [self._in_flight.pop(f) for f in late]
        if self.backend.capabilities.can_kill:
            # Keep what already finished, then replace the pool; unfinished neighbours are sent again.
            for future in [f for f in self._in_flight if f.done()]:
                yield from self._collect(future)
            survivors = list(self._in_flight.values())
            self._in_flight.clear()
            self.backend.shutdown(wait=False, kill=True)
            for batch in survivors:
                if self.spec.start_marks is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(start_mark_path(self.spec.start_marks, batch.first))
                self._submit(batch)
            remedy = "its worker was killed and replaced"
        elif self.backend.capabilities.remote:
            # A cluster's task is stopped by the backend (an IPython engine interrupted, a Dask worker restarted),
            # or, where it cannot be, its result is dropped; the other tasks keep running either way.
            stopped = self.backend.stop_running(late)
            if stopped is not None:
                remedy = stopped
            else:
                self.backend.cancel(late)
                remedy = (f"the {self.backend.name} cluster could not interrupt it, so its result is dropped (it "
                          "may run to its end there); the other tasks go on")
        else:
            self.backend.shutdown(wait=False, kill=True)  # abandon the pool holding the stuck thread
            remedy = ("a thread cannot be killed, so it was abandoned and may still be running; later tasks use "
                      "fresh threads")
        for batch in late_batches:
            failures: dict[int, Any] = {}
            for k, item in enumerate(batch.items):
                index = batch.first + k
                failures[index] = TaskTimeoutError(
                    f"task {index} ({describe_task_item(item)}) ran longer than timeout={self.timeout}s; {remedy}",
                    index, self.timeout)
            yield Event(batch.first, [None] * len(batch.items), failures, batch.items)

    def _abort(self, kill: bool) -> None:
        if not self._in_flight:
            return
        if self.spec.live_mark is not None:  # queued batches that loky cannot cancel start nothing
            with contextlib.suppress(OSError):
                os.unlink(self.spec.live_mark)
        futures = list(self._in_flight)
        self._in_flight.clear()
        if kill and self.backend.capabilities.remote:
            # Ctrl-C: running cluster tasks are stopped as a late task is (an IPython engine is interrupted, a
            # Dask worker restarted) rather than left to occupy the cluster.
            with contextlib.suppress(Exception):
                self.backend.stop_running(futures)
        self.backend.cancel(futures)
        if kill and self.backend.capabilities.can_kill:
            self.backend.shutdown(wait=False, kill=True)


def decode_result(data: bytes, first: int) -> tuple[float, list[Any], dict[int, Any]]:
    """Unpickle a batch's results; a result or exception that cannot be rebuilt here fails its own task, named,
    and the others are kept."""
    try:
        return pickle.loads(data)  # type: ignore[no-any-return]
    except (Exception, SystemExit):
        pass
    (seconds, values, failures), broken = tolerant_loads(data)
    for k, value in enumerate(values):
        bad = find_undecodable(value, broken)
        if bad is not None:
            values[k] = None
            failures[first + k] = SerializationError(
                f"task {first + k}'s result could not be unpickled in the caller: {bad.describe()}. The worker "
                "could build it but this process cannot (a class only the workers can import, or a "
                "__setstate__/__reduce__ that fails here); return plain data (numbers, arrays, dicts) or make the "
                "class importable here.")
    for index, failure in failures.items():
        bad = find_undecodable(getattr(failure, "exc", None), broken)
        if bad is not None:  # the exception's class cannot be rebuilt here: its type name and message still can
            failures[index] = replace(failure, exc=None, lost=f"could not be unpickled in the caller: {bad.describe()}")
    return seconds, values, failures


def _known_length(items: Iterable[Any]) -> int | None:
    try:
        return len(items)  # type: ignore[arg-type]
    except TypeError:
        return None  # generators and iterators: consumed lazily, length unknown


def _span(indices: list[int]) -> str:
    if len(indices) <= 6:
        return "tasks " + ", ".join(map(str, indices))
    return f"tasks {indices[0]}..{indices[-1]} ({len(indices)} tasks)"
