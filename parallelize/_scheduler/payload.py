"""What travels to workers, and how.

One call builds one :class:`CallSpec` (the function, broadcast arguments, seed, init, limits). For backends that
share memory (serial, threads) the spec and items are handed over as they are. For process backends:

- the spec is pickled once per call with cloudpickle into a :class:`SharedSpec`; workers unpickle it once and
  cache it by token, so broadcast arguments are serialized once and decoded once per worker, not per item;
  a large spec is written to a file and only its path travels with each batch;
- numpy arrays of ``SHARE_THRESHOLD`` bytes or more (in arguments or items) reach local workers as read-only
  memory maps, without being pickled (:mod:`parallelize._scheduler.arrays`);
- anything that cannot be pickled raises :class:`SerializationError` naming the argument or item.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import sys
import threading
import types
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cloudpickle

from parallelize._errors import SerializationError
from parallelize._scheduler import arrays
from parallelize._scheduler.arrays import ArrayStore
from parallelize._scheduler.decoding import Undecodable, find_undecodable

#: Specs larger than this travel as a file path; smaller ones ride along with each batch.
INLINE_SPEC_LIMIT = 64 << 10


@dataclass
class CallSpec:
    """Everything a worker needs to run the tasks of one call, besides the items."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    star: bool = False
    seed: int | None = None
    init: Callable[[], Any] | None = None
    init_key: str | None = None
    limits: Any = None
    budget: int = 1
    seed_globals: bool = True
    timeout: float | None = None
    star_kwargs: bool = False
    #: With a timeout on local processes: a folder where each batch marks when it started (a file per batch), so
    #: the clock starts when a worker picks the task up, not when it was queued behind a starting pool.
    start_marks: str | None = None
    #: On local processes: a file that exists while the call wants its batches run. The caller removes it when
    #: the call stops early (first error, Ctrl-C, an abandoned iterator), so a batch still queued in the pool
    #: starts nothing; the store's folder, and so the file, also goes when the call ends.
    live_mark: str | None = None
    #: The function's source file, restored in workers when the function travelled by value.
    fn_filename: str | None = None
    #: Strict mode: process and Dask workers check each task for changes to shared state (``strict.py``).
    strict: bool = False


class CallArguments(tuple):  # type: ignore[type-arg]
    """The item of a ``.submit`` task, ``(args, kwargs)``; errors show it as the call's arguments."""

    __slots__ = ()
    _parallelize_label = "arguments"  # see parallelize._errors.describe_task_item

    def __repr__(self) -> str:
        args, kwargs = self
        return f"({', '.join([*map(repr, args), *(f'{key}={value!r}' for key, value in kwargs.items())])})"


@dataclass(frozen=True)
class SharedSpec:
    """A pickled :class:`CallSpec`: inline bytes or a file path, and a token workers cache it by.

    For remote workers, large contiguous arrays in the spec travel beside the pickle as out-of-band buffers
    (pickle protocol 5): the backend sends them as raw frames and workers rebuild the arrays on those frames,
    read-only, without copying them into and out of the pickle.
    """

    token: str
    data: bytes | None  # or any bytes-like buffer (a numpy uint8 view, for Dask)
    path: str | None
    buffers: tuple[Any, ...] = ()

    def framed(self, *, copy: bool = False) -> SharedSpec:
        """This spec with its out-of-band buffers, and its pickle when over 1 MB, as numpy ``uint8`` views.

        Cluster transports (Dask, ipyparallel) send numpy buffers as frames of their own without copying them, but
        copy plain bytes into a pickle again. ``copy``: copy the buffers first, for workers in the caller's own
        process (``LocalCluster(processes=False)``), which get the object itself and would otherwise read the
        caller's arrays as they change. (``backends.base.SharedPayload`` is what a backend may rely on.)
        """
        import numpy as np

        def frame(buffer: Any) -> Any:
            return np.frombuffer(buffer, dtype=np.uint8)

        buffers = tuple(frame(bytes(b.raw()) if copy else b.raw()) for b in self.buffers)
        data = frame(self.data) if self.data is not None and len(self.data) > 1 << 20 else self.data
        return SharedSpec(self.token, data, self.path, buffers)


class _Pickler(cloudpickle.CloudPickler):  # type: ignore[misc]
    def __init__(self, file: io.BytesIO, store: ArrayStore | None,
                 buffers: list[pickle.PickleBuffer] | None = None) -> None:
        if buffers is None:
            super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            super().__init__(file, protocol=5, buffer_callback=_out_of_band(buffers))
        self._store = store

    def reducer_override(self, obj: Any) -> Any:
        store = self._store
        if store is not None and type(obj).__module__ == "numpy":
            shared = arrays.reduce_array(obj, store)
            if shared is not None:
                return shared
        if isinstance(obj, io.IOBase) and _is_os_file(obj):
            raise pickle.PicklingError(_file_refusal(obj))
        if getattr(type(obj), "_parallelize_wrapper", False):
            # wrapt proxies pose as functions (their __class__ is the wrapped one's); type() is not fooled.
            return obj._parallelize_reduce()
        return super().reducer_override(obj)


#: Modules of the io classes themselves: a file class defined elsewhere that says how to pickle itself (fsspec's
#: files reopen their path in the worker) is left to do so.
_IO_MODULES = frozenset({"builtins", "io", "_io", "_pyio"})


def _is_os_file(obj: io.IOBase) -> bool:
    """Whether ``obj`` is a handle on something outside the process that pickling would silently copy or drop.

    cloudpickle sends a text file open for reading as a snapshot of its contents (every task reads the same
    lines, writes go nowhere) and refuses other files with a confusing message. Allowed: ``sys.stdout`` and
    ``sys.stderr`` (the worker's own streams, by reference), in-memory buffers (values, copied like a list), and
    file classes that define their own pickling.
    """
    if isinstance(obj, (io.BytesIO, io.StringIO)):
        return False
    if obj is sys.stdout or obj is sys.stderr:
        return False
    return not any(name in vars(klass) and klass.__module__ not in _IO_MODULES
                   for klass in type(obj).__mro__ for name in ("__reduce__", "__reduce_ex__", "__getstate__"))


def _file_refusal(obj: io.IOBase) -> str:
    name = getattr(obj, "name", None)
    mode = getattr(obj, "mode", None)
    what = "an open file" + (f" ({name!r}" + (f", mode {mode!r})" if mode else ")") if name is not None else "")
    return (f"{what} cannot reach another process: at best a copy of its contents would arrive, and reads and "
            "writes there would not touch the real file; pass its path instead and open it in the task")


def _out_of_band(buffers: list[pickle.PickleBuffer]) -> Callable[[pickle.PickleBuffer], bool]:
    def keep(buffer: pickle.PickleBuffer) -> bool:  # pickle's contract: a true result keeps it in-band
        if buffer.raw().nbytes < arrays.SHARE_THRESHOLD:
            return True
        buffers.append(buffer)
        return False

    return keep


def dumps(obj: Any, store: ArrayStore | None = None, buffers: list[pickle.PickleBuffer] | None = None) -> bytes:
    """Pickle ``obj`` with cloudpickle, sharing large arrays through ``store``; with ``buffers``, large
    contiguous buffers are appended there instead of being copied into the result (protocol 5)."""
    buffer = io.BytesIO()
    _Pickler(buffer, store, buffers).dump(obj)
    return buffer.getvalue()


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _fix_hint() -> str:
    return (" Pass something picklable (a path or a config instead of an open file, lock, socket or client), "
            "create the object inside the task or with init=, or use backend='threads'.")


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    import inspect

    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []


def pickle_spec(spec: CallSpec, store: ArrayStore | None,
                buffers: list[pickle.PickleBuffer] | None = None) -> bytes:
    """Pickle the call's spec, naming the culprit when something in it cannot be pickled (``buffers``: see
    :func:`dumps`)."""
    try:
        return dumps(spec, store, buffers)
    except Exception as exc:
        culprit = _find_unpicklable_part(spec, store)
        raise SerializationError(f"{culprit} cannot be pickled to reach a process worker ({_why(exc)})."
                                 + _fix_hint()) from exc


def _find_part(spec: CallSpec, is_bad: Callable[[Any], bool]) -> tuple[str, Any] | None:
    """The first part of the call (an argument, the function, ``init=``) for which ``is_bad`` holds."""
    names = _parameter_names(spec.fn)
    offset = 0 if spec.star else 1  # map mode: the item fills the first parameter
    for position, value in enumerate(spec.args):
        if is_bad(value):
            index = position + offset
            return (f"argument '{names[index]}'" if index < len(names) else f"argument #{position}"), value
    for key, value in spec.kwargs.items():
        if is_bad(value):
            return f"argument {key!r}", value
    if is_bad(spec.fn):
        name = getattr(spec.fn, "__qualname__", repr(spec.fn))
        return f"the function {name} (or a variable it captures)", spec.fn
    if spec.init is not None and is_bad(spec.init):
        return "the init= function (or a variable it captures)", spec.init
    return None


def _find_unpicklable_part(spec: CallSpec, store: ArrayStore | None) -> str:
    found = _find_part(spec, lambda value: not _can_pickle(value, store))
    if found is None:
        return "part of the call"
    label, value = found
    return f"{label} ({type(value).__name__})" if label.startswith("argument") else label


def describe_spec_part(spec: Any, broken: dict[int, Undecodable]) -> tuple[str, Undecodable | None]:
    """Which part of a spec decoded by :func:`~parallelize._scheduler.decoding.tolerant_loads` could not be
    rebuilt, and what it was: ``("argument 'model'", <undecodable ...>)``."""
    found: list[Undecodable] = []

    def is_bad(value: Any) -> bool:
        bad = find_undecodable(value, broken)
        if bad is not None:
            found.append(bad)
        return bad is not None

    part = _find_part(spec, is_bad) if isinstance(spec, CallSpec) else None
    if part is None:
        return "the function or its arguments", None
    return part[0], found[-1]


def spec_bytes(shared: SharedSpec) -> bytes:
    """The pickled spec a worker decodes: inline, or read from its file."""
    if shared.data is not None:
        return shared.data
    assert shared.path is not None
    with open(shared.path, "rb") as handle:
        return handle.read()


def _unpicklable_argument(call: CallArguments, store: ArrayStore | None, fn: Callable[..., Any] | None) -> str:
    args, kwargs = call
    names = _parameter_names(fn) if fn is not None else []
    for position, value in enumerate(args):
        if not _can_pickle(value, store):
            label = f"'{names[position]}'" if position < len(names) else f"#{position}"
            return f"argument {label} ({type(value).__name__})"
    for key, value in kwargs.items():
        if not _can_pickle(value, store):
            return f"argument {key!r} ({type(value).__name__})"
    return "an argument of the call"


def _can_pickle(value: Any, store: ArrayStore | None) -> bool:
    try:
        dumps(value, store)
    except (Exception, SystemExit):
        return False
    return True


def share_spec(data: bytes, directory: Callable[[], str] | None,
               buffers: Sequence[pickle.PickleBuffer] = ()) -> SharedSpec:
    """Wrap pickled spec bytes (and their out-of-band ``buffers``) for sending; large specs go to a file in
    ``directory()`` (None: always inline, for remote workers that cannot read local files)."""
    token = uuid.uuid4().hex  # one per call: hashing a large spec would cost more than it could save
    if directory is None or len(data) <= INLINE_SPEC_LIMIT:
        return SharedSpec(token, data, None, tuple(buffers))
    path = os.path.join(directory(), f"spec-{token}.pkl")
    with open(path, "wb") as handle:
        handle.write(data)
    return SharedSpec(token, None, path)


def pickle_items(items: Sequence[Any], first_index: int, store: ArrayStore | None,
                 fn: Callable[..., Any] | None = None) -> bytes:
    """Pickle one batch of items, naming the first item (or, for ``.submit``, the argument of ``fn``) that cannot
    be pickled."""
    try:
        return dumps(list(items), store)
    except (Exception, SystemExit) as exc:  # a __reduce__ that calls sys.exit() fails its item, not the caller
        for offset, item in enumerate(items):
            if not _can_pickle(item, store):
                if isinstance(item, CallArguments):
                    culprit = _unpicklable_argument(item, store, fn)
                else:
                    culprit = f"item {first_index + offset} ({type(item).__name__})"
                raise SerializationError(
                    f"{culprit} cannot be pickled to reach a process worker ({_why(exc)})." + _fix_hint()
                ) from exc
        raise SerializationError(f"a batch of items cannot be pickled ({_why(exc)})." + _fix_hint()) from exc


_spec_cache: OrderedDict[str, CallSpec] = OrderedDict()
_array_specs: set[str] = set()  # tokens of cached specs that hold memory-mapped shared arrays
_spec_lock = threading.Lock()


def release_shared_specs() -> None:
    """Forget cached specs holding shared arrays, unmapping the arrays (called when a worker goes idle)."""
    with _spec_lock:
        for token in list(_array_specs):
            _spec_cache.pop(token, None)
        _array_specs.clear()


def _with_filename(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def plain_function(fn: Any) -> types.FunctionType | None:
    """The ``def`` function that calling ``fn`` runs, or None for other callables.

    ``fn`` itself when it is one; else a bound method's or classmethod's ``__func__``, a ``functools.partial``'s
    ``func`` or a wrapper's ``__wrapped__`` (our own proxies included), followed until a plain function appears.
    ``type(...) is`` on purpose: wrapt proxies pass ``isinstance(proxy, FunctionType)`` but are not functions.
    """
    for _ in range(64):  # a bound wrapper of a wrapper of ... ends quickly; a cycle must not hang
        if type(fn) is types.FunctionType:
            return fn
        if isinstance(fn, functools.partial):
            fn = fn.func
            continue
        inner = getattr(fn, "__func__", None)
        if inner is None:
            inner = getattr(fn, "__wrapped__", None)
        if inner is None:
            return None
        fn = inner
    return None


def restore_filename(fn: Any, filename: str | None) -> None:
    """Give a function shipped by value its source file back, so tracebacks name the user's file.

    cloudpickle writes ``<dynamic-code>`` as the file of every function it sends by value (to keep payloads
    deterministic); line numbers survive, the file name does not. ``fn`` may be a bound method, a classmethod or
    a wrapper: the file is restored on the plain function it runs (see :func:`plain_function`).
    """
    function = plain_function(fn)
    if filename and function is not None and function.__code__.co_filename == "<dynamic-code>":
        function.__code__ = _with_filename(function.__code__, filename)


def load_spec(shared: SharedSpec | CallSpec) -> CallSpec:
    """Return the spec for a batch, decoding a shared one at most once per worker process."""
    if isinstance(shared, CallSpec):
        return shared
    with _spec_lock:
        spec = _spec_cache.get(shared.token)
        if spec is not None:
            _spec_cache.move_to_end(shared.token)
            return spec
    data = spec_bytes(shared)
    before = arrays.loaded
    # Read-only, as the memory-mapped arrays of local workers are: a task cannot change what later tasks see.
    spec = pickle.loads(data, buffers=[memoryview(b).toreadonly() for b in shared.buffers])
    restore_filename(spec.fn, spec.fn_filename)
    with _spec_lock:
        if arrays.loaded != before:
            # At most one call's shared arrays stay mapped in a worker at a time.
            for token in list(_array_specs):
                _spec_cache.pop(token, None)
            _array_specs.clear()
            _array_specs.add(shared.token)
        _spec_cache[shared.token] = spec
        while len(_spec_cache) > 4:
            token, _ = _spec_cache.popitem(last=False)
            _array_specs.discard(token)
    return spec  # type: ignore[no-any-return]
