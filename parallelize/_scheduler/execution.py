"""Run one batch of tasks where the backend put it: a worker process, a pool thread, or the caller.

``run_batch`` is the only function shipped to workers (by reference; workers import parallelize). It decodes the
call's spec (once per worker), runs ``init`` once per worker, and runs each task with its seed, its core budget
and its limits, capturing failures per task so one bad item never hides the results of the others.
Results travel per batch as a list of values plus a dict of failures, which keeps tiny tasks cheap.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar, overload

from parallelize._compat import add_note
from parallelize._scheduler import budget
from parallelize._scheduler.decoding import find_undecodable, tolerant_loads
from parallelize._scheduler.failures import capture
from parallelize._scheduler.limits import call_with_limits
from parallelize._scheduler.payload import (
    CallSpec,
    SharedSpec,
    describe_spec_part,
    dumps,
    load_spec,
    release_shared_specs,
    spec_bytes,
)
from parallelize._scheduler.seeding import seeded_task


class BatchResult(NamedTuple):
    """What a batch gives back: ``values[k]`` is task ``first + k``'s result (None where it failed)."""

    #: Seconds the batch's tasks took on the worker (what automatic batch sizes learn from).
    seconds: float
    values: list[Any]
    #: A failed task's index → its captured exception.
    failures: dict[int, Any]

_process_states: dict[str, Any] = {}
_thread_states = threading.local()
_state: contextvars.ContextVar[Any] = contextvars.ContextVar("parallelize_worker_state", default=None)
_NO_STATE = object()
State = TypeVar("State")

READ_ONLY_NOTE = ("parallelize: large arrays reach process workers read-only (one shared copy, not one per "
                  "task); return the result instead of writing in place, or pass arr.copy() inside the task.")


@overload
def worker_state() -> Any: ...
@overload
def worker_state(kind: type[State], /) -> State: ...
def worker_state(kind: type[Any] | None = None, /) -> Any:
    """Return what this worker's ``init=`` function returned (e.g. a loaded model).

    Args:
        kind: the class that ``init=`` returns an instance of, e.g. ``worker_state(Model)``. Type checkers then
            know the value's type (with no argument it is ``Any``), and a value of another type raises.

    Raises:
        RuntimeError: outside a task, or when the decorated function has no ``init=``.
        TypeError: the value is not an instance of ``kind``.
    """
    value = _state.get()
    if value is None or value is _NO_STATE:
        raise RuntimeError("worker_state() is only available inside a task of a function decorated with "
                           "init=...; pass init=load_model to @parallel_for or @io_bound")
    if kind is not None and not isinstance(value, kind):
        raise TypeError(f"worker_state({kind.__qualname__}): init= returned a {type(value).__qualname__}, not a "
                        f"{kind.__qualname__}; pass the class init= returns")
    return value


def _initialized(spec: CallSpec, pickled: bool) -> Any:
    if spec.init is None or spec.init_key is None:
        return _NO_STATE
    if pickled:
        states = _process_states
    else:
        if not hasattr(_thread_states, "states"):
            _thread_states.states = {}
        states = _thread_states.states
    if spec.init_key not in states:
        states[spec.init_key] = spec.init()
    return states[spec.init_key]


def _call(spec: CallSpec, item: Any) -> Any:
    if spec.star:
        if spec.star_kwargs:
            args, kwargs = item
            return call_with_limits(spec.fn, (*args, *spec.args), {**spec.kwargs, **kwargs}, spec.limits)
        return call_with_limits(spec.fn, (*item, *spec.args), spec.kwargs, spec.limits)
    return call_with_limits(spec.fn, (item, *spec.args), spec.kwargs, spec.limits)


def run_task(spec: CallSpec, index: int, item: Any, pickled: bool) -> tuple[bool, Any]:
    """Run one task with its seed and limits; return ``(ok, value_or_failure)``. Ctrl-C is not captured;
    ``sys.exit()`` is, so that it cannot end a worker: the caller raises it (see ``scheduler.run_list``)."""
    try:
        with seeded_task(spec.seed, index, spec.seed_globals):
            started = time.perf_counter()
            value = _call(spec, item)
        took = time.perf_counter() - started
        if spec.timeout is not None and not pickled and took > spec.timeout:
            from parallelize._errors import TaskTimeoutError

            raise TaskTimeoutError(
                f"task {index} took {took:.2f}s, over timeout={spec.timeout}s (it ran where it could not be "
                "interrupted, so it finished first)", index, spec.timeout)
        return (True, value)
    except (Exception, SystemExit) as exc:
        return (False, _captured(exc, pickled))


def _captured(exc: BaseException, pickled: bool) -> Any:
    if pickled and isinstance(exc, ValueError) and "read-only" in str(exc):
        add_note(exc, READ_ONLY_NOTE)
    return capture(exc, pickled)


def _run_plain(spec: CallSpec, first_index: int, items: Sequence[Any], pickled: bool,
               values: list[Any], failures: dict[int, Any]) -> None:
    # The hot loop for tasks without seed, limits or timeout: as close to a list comprehension as it gets,
    # since 200,000 trivial tasks must cost about what the serial loop costs. A failure is located by position.
    # list.extend(map(...)) keeps what it appended before an exception, so len(values) names the failed item.
    fn, args, kwargs = spec.fn, spec.args, spec.kwargs
    iterator = iter(items)
    while True:
        try:
            if spec.star or spec.star_kwargs:
                values.extend(map(functools.partial(_call, spec), iterator))
            elif args or kwargs:
                values.extend(fn(item, *args, **kwargs) for item in iterator)
            else:
                values.extend(map(fn, iterator))
            return
        except (Exception, SystemExit) as exc:
            failures[first_index + len(values)] = _captured(exc, pickled)
            values.append(None)


def _run_watched(spec: CallSpec, first_index: int, items: Sequence[Any], values: list[Any],
                 failures: dict[int, Any]) -> None:
    """Strict mode on a process or Dask worker: each task, then a check that it left shared state alone."""
    from parallelize._errors import SharedStateError
    from parallelize._scheduler.strict import Watch

    watch = Watch(spec.fn)
    for k, item in enumerate(items):
        index = first_index + k
        before = watch.snapshot(item, spec.args, spec.kwargs)
        ok, value = run_task(spec, index, item, True)
        change = watch.changed(before, item, spec.args, spec.kwargs) if ok else None
        if change is not None:
            ok, value = False, capture(SharedStateError(
                f"task {index} {change}; in a worker this change is lost (the caller's object stays as it was). "
                "Return the value from the task and combine the results in the caller (strict mode)."), True)
        values.append(value if ok else None)
        if not ok:
            failures[index] = value


def run_tasks(spec: CallSpec, first_index: int, items: Sequence[Any], pickled: bool) -> BatchResult:
    """Run a batch of decoded items in this thread: ``(seconds, values, failures by index)``.

    ``pickled``: the outcomes go back to the caller pickled (a process or cluster worker), so exceptions are
    captured as portable records; False in the caller's own process (threads, serial).
    """
    started = time.perf_counter()
    values: list[Any] = []
    failures: dict[int, Any] = {}
    try:
        state = _initialized(spec, pickled)
    except Exception as exc:
        add_note(exc, "parallelize: the init= function failed in this worker")
        failure = capture(exc, pickled)
        return BatchResult(time.perf_counter() - started, [None] * len(items),
                           {first_index + k: failure for k in range(len(items))})
    budget_token = budget.task_budget_token(spec.budget)
    state_token = _state.set(state)
    try:
        if spec.strict and pickled:
            _run_watched(spec, first_index, items, values, failures)
        elif spec.seed is None and spec.limits is None and (spec.timeout is None or pickled):
            _run_plain(spec, first_index, items, pickled, values, failures)
        else:
            for k, item in enumerate(items):
                ok, value = run_task(spec, first_index + k, item, pickled)
                values.append(value if ok else None)
                if not ok:
                    failures[first_index + k] = value
    finally:
        _state.reset(state_token)
        budget.reset_task_budget(budget_token)
    return BatchResult(time.perf_counter() - started, values, failures)


def run_while_cheap(spec: CallSpec, first_index: int, take: Callable[[], list[Any]], slow: float,
                    budget_seconds: float) -> tuple[float, list[Any], dict[int, Any], list[Any]]:
    """Loop mode's caller phase: run items taken one at a time, here, while they stay cheap.

    Stops after the first item that took ``slow`` seconds, once they took ``budget_seconds`` in all, at the first
    failure, or when ``take()`` gives nothing. Returns ``(seconds, values, failures by index, items)``. The set-up
    (worker state, core budget) is done once, so an item costs little more than its own call.
    """
    started = time.perf_counter()
    values: list[Any] = []
    failures: dict[int, Any] = {}
    taken: list[Any] = []
    state = _initialized(spec, False)  # loop mode's caller phase runs only without init=
    budget_token = budget.task_budget_token(spec.budget)
    state_token = _state.set(state)
    try:
        spent = 0.0
        while spent < budget_seconds:
            items = take()
            if not items:
                break
            taken.extend(items)
            began = time.perf_counter()
            ok, value = run_task(spec, first_index + len(values), items[0], False)
            took = time.perf_counter() - began
            spent += took
            values.append(value if ok else None)
            if not ok:
                failures[first_index + len(values) - 1] = value
                break
            if took >= slow:
                break
    finally:
        _state.reset(state_token)
        budget.reset_task_budget(budget_token)
    return (time.perf_counter() - started, values, failures, taken)


def run_batch(shared: SharedSpec | CallSpec, first_index: int, items: bytes | Sequence[Any], encoded: bool) -> Any:
    """Worker entry point. ``encoded`` (process and cluster workers): ``shared`` is a :class:`SharedSpec`, ``items``
    pickled bytes, and the :class:`BatchResult` goes back pickled; otherwise (threads) all three are plain."""
    if encoded:
        assert isinstance(items, (bytes, bytearray))

        budget.limit_worker_threads()
        decoded, unreadable = _decode_items(items, first_index)
        try:
            spec = load_spec(shared)
        except ImportError:
            raise  # the function's module is missing on the worker: the backend says how to ship it
        except (Exception, SystemExit) as exc:
            failure = capture(_spec_failure(shared, exc), True)
            return _encode(BatchResult(0.0, [None] * len(decoded),
                                       dict.fromkeys(range(first_index, first_index + len(decoded)), failure)),
                           first_index)
        if spec.live_mark is not None and not os.path.exists(spec.live_mark):
            # The call stopped while this batch sat in the pool's queue: run nothing; nobody reads this result.
            return _encode(BatchResult(0.0, [None] * len(decoded), {}), first_index)
        if spec.start_marks is not None:
            mark_start(spec.start_marks, first_index)
        try:
            if unreadable:
                return _encode(_run_readable(spec, first_index, decoded, unreadable), first_index)
            return _encode(run_tasks(spec, first_index, decoded, pickled=True), first_index)
        finally:
            del spec, decoded
            _release_when_idle()
    return run_tasks(load_spec(shared), first_index, items, pickled=False)


def batch_failed(result: bytes | bytearray) -> bool:
    """Whether a task of an encoded batch result failed (for a backend's own retries; see ``BatchInfo``)."""
    import pickle

    return bool(pickle.loads(result).failures)


def _decode_items(data: bytes | bytearray, first_index: int) -> tuple[list[Any], dict[int, Any]]:
    """Unpickle a batch's items; an item that cannot be rebuilt here fails its own task, named, not the batch."""
    import pickle

    try:
        return pickle.loads(data), {}
    except (Exception, SystemExit) as exc:
        error = exc
    from parallelize._errors import SerializationError

    items, broken = tolerant_loads(data)
    found = {k: bad for k, item in enumerate(items) if (bad := find_undecodable(item, broken)) is not None}
    failures: dict[int, Any] = {}
    for k in found or range(len(items)):  # nothing found: the batch fails whole, with the error itself
        what = found[k].describe() if found else f"{type(error).__name__}: {error}"
        failures[first_index + k] = capture(SerializationError(
            f"task {first_index + k}'s item could not be unpickled in the worker process: {what}. Make its class "
            "importable by the workers (define it in a module, not in __main__ or a notebook cell) and its "
            "__setstate__/__reduce__ work there, or pass plain data."), True)
    return items, failures


def _run_readable(spec: CallSpec, first_index: int, items: Sequence[Any], unreadable: dict[int, Any]) -> BatchResult:
    """Run the items that were decoded, in runs between the ones that were not; those fail with their error."""
    seconds, values, failures = 0.0, [], dict(unreadable)
    start = 0
    for stop in [*sorted(i - first_index for i in unreadable), len(items)]:
        if stop > start:
            took, run_values, run_failures = run_tasks(spec, first_index + start, items[start:stop], pickled=True)
            seconds += took
            values.extend(run_values)
            failures.update(run_failures)
        if stop < len(items):
            values.append(None)
        start = stop + 1
    return BatchResult(seconds, values, failures)


def _spec_failure(shared: SharedSpec | CallSpec, exc: BaseException) -> Exception:
    """The error for every task of a call whose function or broadcast arguments cannot be rebuilt in a worker."""
    from parallelize._errors import SerializationError

    what = f"({type(exc).__name__}: {exc})"
    part = "the function or its arguments"
    try:
        assert isinstance(shared, SharedSpec)
        spec, broken = tolerant_loads(spec_bytes(shared), buffers=shared.buffers)
        part, bad = describe_spec_part(spec, broken)
        if bad is not None:
            what = f"({bad.describe()})"
    except Exception:
        pass
    return SerializationError(
        f"{part} could not be unpickled in the worker process {what}, so no task of this call can run. Make the "
        "class importable by the workers (define it in a module, not in __main__ or a notebook cell) and its "
        "__setstate__/__reduce__ work there, or pass plain data.")


#: A worker that receives no batch for this long unmaps the last call's shared arrays.
IDLE_RELEASE_SECONDS = 0.5
_last_batch_end = 0.0
_batch_ended = threading.Event()
_releaser: threading.Thread | None = None
_releaser_lock = threading.Lock()


def _release_when_idle() -> None:
    """Note that a batch ended; one thread per worker process releases the shared specs once it is idle.

    (A timer per batch started a thread per batch: about 150 µs of a 200 µs per-batch cost in a worker.)
    """
    global _last_batch_end, _releaser
    _last_batch_end = time.monotonic()
    _batch_ended.set()
    if _releaser is None:
        with _releaser_lock:
            if _releaser is None:
                _releaser = threading.Thread(target=_release_idle_specs, name="parallelize-idle-release",
                                             daemon=True)
                _releaser.start()


def _release_idle_specs() -> None:
    while True:
        _batch_ended.wait()
        _batch_ended.clear()
        while (left := _last_batch_end + IDLE_RELEASE_SECONDS - time.monotonic()) > 0:
            time.sleep(left)
        release_shared_specs()


def live_mark_path(directory: str) -> str:
    """The file whose presence lets a call's queued batches start (``CallSpec.live_mark``)."""
    return os.path.join(directory, "live")


def start_mark_path(directory: str, first_index: int) -> str:
    """Where batch ``first_index`` records that it started."""
    return os.path.join(directory, f"start-{first_index}")


def mark_start(directory: str, first_index: int) -> None:
    """Record that batch ``first_index`` starts now (its file's modification time)."""
    with contextlib.suppress(OSError), open(start_mark_path(directory, first_index), "w"):
        pass


def _encode(result: BatchResult, first: int) -> bytes:
    try:
        return dumps(result)
    except (Exception, SystemExit):
        from parallelize._errors import SerializationError

        seconds, values, failures = result
        for k, value in enumerate(values):
            try:
                dumps(value)
            except (Exception, SystemExit) as exc:
                error = SerializationError(
                    f"task {first + k} returned a {type(value).__name__} that cannot be pickled back to the caller "
                    f"({type(exc).__name__}: {exc}); return plain data (numbers, arrays, dicts, dataclasses)")
                values[k] = None
                failures[first + k] = capture(error, True)
        return dumps(BatchResult(seconds, values, failures))
