"""Decode a pickle that failed to load, so that one object that cannot be rebuilt costs one task, not the batch.

Batches travel as one pickle each way (items to the worker, results back), which keeps tiny tasks cheap. When
``pickle.loads`` of such a batch fails (a class only the other side can import, a ``__setstate__`` or
``__reduce__`` that raises here), :func:`tolerant_loads` decodes it again with pickle's pure-Python unpickler,
putting an :class:`Undecodable` where an object could not be rebuilt, and :func:`find_undecodable` tells which
task's item, result or exception holds one. Only the failure path pays for this.
"""

from __future__ import annotations

import pickle
from typing import Any, ClassVar

__all__ = ["Undecodable", "find_undecodable", "tolerant_loads"]


class Undecodable:
    """Stands where an object could not be rebuilt: what it was (``what``) and why (``reason``)."""

    __slots__ = ("reason", "what")

    def __init__(self, what: str, reason: str) -> None:
        self.what, self.reason = what, reason

    def __call__(self, *args: Any, **kwargs: Any) -> Undecodable:
        return self  # a class or function that could not be found, called to rebuild an object: still missing

    def __repr__(self) -> str:
        return f"<undecodable {self.what}: {self.reason}>"

    def describe(self) -> str:
        """``"a Model (ModuleNotFoundError: No module named 'models')"``."""
        return f"{self.what} ({self.reason})"


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _name_of(obj: Any) -> str:
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    return str(name) if name else type(obj).__name__


#: pickle's pure-Python unpickler (its opcode table can be changed, the C one's cannot); private but present in
#: every CPython since 3.0.
_PurePythonUnpickler: Any = pickle._Unpickler  # type: ignore[attr-defined]


class _TolerantUnpickler(_PurePythonUnpickler):  # type: ignore[misc]
    """pickle's pure-Python unpickler, with the opcodes that run user code made to fail softly."""

    dispatch: ClassVar[dict[int, Any]] = dict(_PurePythonUnpickler.dispatch)

    def __init__(self, data: bytes | bytearray, buffers: Any) -> None:
        import io

        super().__init__(io.BytesIO(data), buffers=[memoryview(b).toreadonly() for b in buffers])
        self.broken: dict[int, Undecodable] = {}
        self.keep: list[Any] = []

    def find_class(self, module: str, name: str) -> Any:
        try:
            return super().find_class(module, name)
        except (Exception, SystemExit) as exc:
            return Undecodable(f"{module}.{name}", _reason(exc))

    def load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        try:
            stack[-1] = func(*args)
        except (Exception, SystemExit) as exc:
            stack[-1] = Undecodable(f"the object rebuilt by {_name_of(func)}", _reason(exc))

    dispatch[pickle.REDUCE[0]] = load_reduce

    def _new(self, cls: Any, args: Any, kwargs: Any) -> Any:
        if isinstance(cls, Undecodable):
            return cls
        try:
            return cls.__new__(cls, *args, **kwargs)
        except (Exception, SystemExit) as exc:
            return Undecodable(f"a {_name_of(cls)}", _reason(exc))

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new(cls, args, {}))

    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new(cls, args, kwargs))

    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

    def load_build(self) -> None:
        stack = self.stack
        if isinstance(stack[-2], Undecodable):
            stack.pop()  # the state of an object that could not be made
            return
        inst = stack[-2]
        try:
            super().load_build()  # pops the state, then sets it on inst (which stays on the stack)
        except (Exception, SystemExit) as exc:
            # The object may already be referenced (the memo): keep it, but remember it is broken.
            self.broken[id(inst)] = Undecodable(f"a {type(inst).__name__}", _reason(exc))
            self.keep.append(inst)

    dispatch[pickle.BUILD[0]] = load_build


def tolerant_loads(data: bytes | bytearray, buffers: Any = ()) -> tuple[Any, dict[int, Undecodable]]:
    """Decode ``data`` (with protocol-5 ``buffers``); return the object and, by ``id``, the objects rebuilt only
    in part (their ``__setstate__`` raised). Objects that could not be made at all are :class:`Undecodable` in
    place."""
    unpickler = _TolerantUnpickler(data, buffers)
    value = unpickler.load()
    return value, unpickler.broken


def find_undecodable(value: Any, broken: dict[int, Undecodable], depth: int = 40) -> Undecodable | None:
    """The first :class:`Undecodable` (or partly rebuilt object) inside ``value``: containers and attributes."""
    seen: set[int] = set()
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        obj, level = pending.pop()
        if isinstance(obj, Undecodable):
            return obj
        if id(obj) in broken:
            return broken[id(obj)]
        if level >= depth or id(obj) in seen or isinstance(obj, (str, bytes, int, float, complex, type(None))):
            continue
        seen.add(id(obj))
        children: Any = ()
        if isinstance(obj, dict):
            children = [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            children = obj
        elif getattr(getattr(obj, "dtype", None), "hasobject", False) and hasattr(obj, "ravel"):
            children = obj.ravel().tolist()
        else:
            attributes = getattr(obj, "__dict__", None)
            if isinstance(attributes, dict):
                children = list(attributes.values())
        pending.extend((child, level + 1) for child in children)
    return None
