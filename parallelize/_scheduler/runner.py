"""The orchestrator: feeds batches to a backend and yields task outcomes as they complete.

Data flow (all in the caller's thread; the backend owns its own threads and processes)::

    items (lazy) --take--> batch --pickle (processes)--> backend.submit(run_batch) --> Future
         ^                                                                             |
         |  at most max_in_flight batches outstanding                                  v
    probe: the first tasks may run right here      <--- outcomes (index, ok, value) --+

- **Probe.** Unless an option needs a worker (``init``, ``timeout``) or fixes the dispatch (an explicit
  ``batch_size``), the first tasks run in the caller while their time is measured. When sending the rest would
  save less than ``INLINE_MAX_SECONDS``, it all runs here: sending tiny tasks to processes costs more than the
  work (200,000 ``x*x`` take ~30 ms serially).
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
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, replace
from typing import Any

from parallelize._backends.base import Backend
from parallelize._errors import TaskTimeoutError, WorkerCrashedError, describe_task_item
from parallelize._scheduler import budget
from parallelize._scheduler.batching import BatchSizer
from parallelize._scheduler.execution import run_batch, run_tasks, start_mark_path
from parallelize._scheduler.payload import (
    ArrayStore,
    CallSpec,
    pickle_items,
    pickle_spec,
    share_spec,
)
from parallelize._scheduler.seeding import preserved_global_state

#: Run everything in the caller when sending it to workers would save less than this: starting, feeding and
#: draining a pool costs about this much even when warm (benchmarks/bench_cpu.py, 200,000 trivial tasks).
INLINE_MAX_SECONDS = 0.15
#: Keep probing in the caller while tasks stay this cheap, up to this many seconds in all.
PROBE_SECONDS = 0.01
#: Loop mode keeps iterations under this cost in the caller: logging, sending and replaying one costs more.
TINY_TASK_SECONDS = 20e-6
#: Batches outstanding per worker: two keeps every worker busy while results travel back.
IN_FLIGHT_PER_WORKER = 2

#: ``(first index, values, failures by index, items)`` for one finished batch (see execution.BatchResult).
Event = tuple[int, list[Any], dict[int, Any], list[Any]]


@dataclass
class _Batch:
    first: int
    items: list[Any]
    submitted: float


class Execution:
    """One run of a call's tasks on a backend; iterate :meth:`events` for outcomes in completion order."""

    def __init__(self, spec: CallSpec, items: Iterable[Any], backend: Backend, *, batch_size: int | None,
                 timeout: float | None, allow_inline: bool, keep_tiny: bool = False, handoff: bool = False) -> None:
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
        self._allow_inline = (allow_inline and timeout is None and batch_size is None and spec.init is None
                              and caps.processes and not caps.remote)
        self._keep_tiny = keep_tiny
        self._handoff = handoff
        #: With ``handoff``: the input's untaken rest, left for the caller to run itself (see :meth:`_probe`).
        self.rest: Iterator[Any] | None = None
        self._store: ArrayStore | None = None
        self._shared: Any = None
        self._in_flight: dict[Future[Any], _Batch] = {}
        self._taken = 0
        self.dispatched = False
        # An exception raised by the input iterable itself: held until every item taken before it is done, as a
        # serial loop would have run them all before seeing it.
        self._input_error: BaseException | None = None

    # -- public -------------------------------------------------------------------------------------------------
    def events(self) -> Generator[Event, None, None]:
        """Yield one :data:`Event` per finished batch, in completion order; clean up however the caller stops."""
        caller_seeds = self.spec.seed is not None and (self._allow_inline or self.backend.capabilities.in_caller)
        try:
            with preserved_global_state(caller_seeds):
                if self._allow_inline:
                    yield from self._probe()
                yield from self._dispatch()
            if self._input_error is not None:
                raise self._input_error
        except KeyboardInterrupt:
            self._abort(kill=True)
            raise
        finally:
            self._abort(kill=False)
            if self._store is not None:
                self._store.close()

    # -- probe in the caller ------------------------------------------------------------------------------------
    def _probe(self) -> Iterator[Event]:
        inline_spec = replace(self.spec, seed_globals=True, budget=budget.current_budget())
        started = time.perf_counter()
        ran = 0
        chunk_size = 1
        while True:
            items = self._take(chunk_size)
            if not items:
                if ran:
                    self._sizer.observe(ran, time.perf_counter() - started)
                return
            first = self._taken
            self._taken += len(items)
            _seconds, values, failures = run_tasks(inline_spec, first, items, remote=False)
            ran += len(items)
            yield (first, values, failures, items)
            elapsed = time.perf_counter() - started
            per_task = elapsed / ran
            remaining = None if self.total is None else self.total - self._taken
            saving = None if remaining is None else remaining * per_task * (1 - 1 / self.backend.n_workers)
            if saving is not None and saving <= INLINE_MAX_SECONDS:
                chunk_size = max(1, remaining or 0)  # the rest is cheaper here than anywhere else
                continue
            if self._keep_tiny and per_task < TINY_TASK_SECONDS:
                if self._handoff and self._input_error is None:
                    # Loop mode: the caller runs the rest with its own loop, faster than any bookkeeping here.
                    self._sizer.observe(ran, elapsed)
                    self.rest, self._items = self._items, iter(())
                    return
                chunk_size = min(2 * chunk_size, 1 << 16)
                continue
            if elapsed < PROBE_SECONDS and per_task < PROBE_SECONDS / 10:
                chunk_size *= 2
                continue
            self._sizer.observe(ran, elapsed)
            return

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
                first = self._taken
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
        self.dispatched = True
        if self._processes:
            if self._shared is None:
                self._store = ArrayStore() if not self.backend.capabilities.remote else None
                if self.timeout is not None and self._store is not None:
                    self.spec = replace(self.spec, start_marks=self._store.directory())
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
        future = self.backend.submit(run_batch, self._shared, batch.first, payload)
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
        if self._processes:
            import pickle

            result = pickle.loads(result)
        seconds, values, failures = result
        self._sizer.observe(len(values), seconds)
        yield (batch.first, values, failures, batch.items)

    def _crashed(self, batch: _Batch, error: WorkerCrashedError) -> Iterator[Event]:
        batches = sorted([batch, *self._in_flight.values()], key=lambda b: b.first)
        self._in_flight.clear()
        indices = [b.first + k for b in batches for k in range(len(b.items))]
        first_item = batches[0].items[0]
        crash = WorkerCrashedError(
            f"{error} Tasks running or queued on the dead pool: {_span(indices)} (first: task {indices[0]}, "
            f"{describe_task_item(first_item)}).", indices)
        for b in batches:
            yield (b.first, [None] * len(b.items), {b.first + k: crash for k in range(len(b.items))}, b.items)

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
            yield (batch.first, [None] * len(batch.items), failures, batch.items)

    def _abort(self, kill: bool) -> None:
        if not self._in_flight:
            return
        futures = list(self._in_flight)
        self._in_flight.clear()
        self.backend.cancel(futures)
        if kill and self.backend.capabilities.can_kill:
            self.backend.shutdown(wait=False, kill=True)


def _known_length(items: Iterable[Any]) -> int | None:
    try:
        return len(items)  # type: ignore[arg-type]
    except TypeError:
        return None  # generators and iterators: consumed lazily, length unknown


def _span(indices: list[int]) -> str:
    if len(indices) <= 6:
        return "tasks " + ", ".join(map(str, indices))
    return f"tasks {indices[0]}..{indices[-1]} ({len(indices)} tasks)"
