"""Strict mode, live: a process or Dask worker checks that a task left shared state as it found it.

On a worker, a task's writes to module-level objects, to the objects of an enclosing function, or to its own
item and broadcast arguments land in the worker's copy: the caller never sees them. The decoration-time analysis
finds such writes in the code it can read; this finds them as they happen, through any call (``methodcaller``, a
helper from another module, a C extension). Before each task it fingerprints (pickles and hashes) what the task
can reach by name: the module-level values the function's code names, followed into the plain Python functions
it calls (user code only, not the standard library or installed packages), its closure cells, its item and its
arguments. After the task it compares. A difference fails the task with :class:`SharedStateError`, naming the
object, the task and the change. It costs a pickle of everything watched per task: a debugging mode.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sysconfig
import types
from collections.abc import Iterator
from typing import Any

from parallelize._scheduler.payload import plain_function

#: How deep calls are followed from the task function (task → helper → helper's helper ...).
MAX_DEPTH = 4
_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), frozenset, range)


def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    return tuple(sorted(dirs))


_LIBRARIES = _library_dirs()


_OWN = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _is_user_code(code: types.CodeType) -> bool:
    filename = code.co_filename
    return not filename.startswith(("<frozen", _OWN)) and not filename.startswith(_LIBRARIES)


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def _kind(value: Any) -> str:
    return f"a {type(value).__name__}"


class Watch:
    """What one call's tasks can reach, found once per batch: ``(label, getter)`` pairs."""

    def __init__(self, fn: Any) -> None:
        self.targets: list[tuple[str, Any, str]] = []  # (label, namespace or cell, name or "")
        seen_functions: set[int] = set()
        seen_targets: set[tuple[int, str]] = set()
        start = plain_function(fn)
        queue: list[tuple[types.FunctionType, int]] = [(start, 0)] if start is not None else []
        while queue:
            function, depth = queue.pop()
            if id(function) in seen_functions:
                continue
            seen_functions.add(id(function))
            module = function.__globals__.get("__name__", "?")
            for cell, name in zip(function.__closure__ or (), function.__code__.co_freevars, strict=False):
                try:
                    value = cell.cell_contents
                except ValueError:
                    continue
                if isinstance(value, types.FunctionType):
                    if depth < MAX_DEPTH and _is_user_code(value.__code__):
                        queue.append((value, depth + 1))
                elif not isinstance(value, (type, types.ModuleType)) and (id(cell), "") not in seen_targets:
                    seen_targets.add((id(cell), ""))
                    self.targets.append((f"`{name}` of the enclosing function of {function.__qualname__}", cell, ""))
            names = set(_names(function.__code__))
            namespace = function.__globals__
            for name in sorted(names):
                if name not in namespace:
                    continue
                value = namespace[name]
                if isinstance(value, types.FunctionType):
                    if depth < MAX_DEPTH and _is_user_code(value.__code__):
                        queue.append((value, depth + 1))
                    continue
                if isinstance(value, types.ModuleType):
                    for helper in self._module_attributes(value, names, seen_targets):
                        if depth < MAX_DEPTH:
                            queue.append((helper, depth + 1))
                    continue
                if isinstance(value, type) or (callable(value) and not hasattr(value, "__dict__")):
                    continue
                key = (id(namespace), name)
                if key not in seen_targets:
                    seen_targets.add(key)
                    self.targets.append((f"module-level `{name}` of {module}", namespace, name))

    def _module_attributes(self, module: types.ModuleType, names: set[str], seen: set[tuple[int, str]]
                           ) -> list[types.FunctionType]:
        """``import helpers; helpers.cache[k] = v``: watch the attributes the code names on a user module.

        Returns the module's functions that the code names, to follow (``helpers.remember(x)``).
        """
        filename = getattr(module, "__file__", None) or ""
        if not filename or filename.startswith((*_LIBRARIES, _OWN)):
            return []
        namespace = vars(module)
        helpers = []
        for name in sorted(names):
            value = namespace.get(name)
            if isinstance(value, types.FunctionType) and _is_user_code(value.__code__):
                helpers.append(value)
            elif name in namespace and not isinstance(value, (types.FunctionType, types.ModuleType, type)):
                key = (id(namespace), name)
                if key not in seen:
                    seen.add(key)
                    self.targets.append((f"module-level `{name}` of {module.__name__}", namespace, name))
        return helpers

    def snapshot(self, item: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        """Fingerprints of every watched object, then of the item and each argument."""
        prints = [_fingerprint(_value(holder, name)) for _label, holder, name in self.targets]
        prints.append(_fingerprint(item))
        prints.extend(_fingerprint(a) for a in args)
        prints.extend(_fingerprint(v) for v in kwargs.values())
        return prints

    def changed(self, before: list[Any], item: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
        """What the task changed, as a sentence fragment, or None."""
        after = self.snapshot(item, args, kwargs)
        labels = [label for label, _h, _n in self.targets] + ["its item"] + \
            [f"the broadcast argument {k + 1}" for k in range(len(args))] + \
            [f"the broadcast argument `{key}`" for key in kwargs]
        values = [_value(h, n) for _l, h, n in self.targets] + [item, *args, *kwargs.values()]
        for label, old, new, value in zip(labels, before, after, values, strict=True):
            if old is not None and new is not None and old != new:
                return f"changed {label} ({_kind(value)})"
        return None


_MISSING = object()


def _value(holder: Any, name: str) -> Any:
    if isinstance(holder, types.CellType):
        try:
            return holder.cell_contents
        except ValueError:
            return _MISSING
    return holder.get(name, _MISSING)


def _fingerprint(value: Any) -> Any:
    """A digest of ``value``'s pickle; identity for what cannot be pickled (a rebinding still shows)."""
    if value is _MISSING:
        return "missing"
    if isinstance(value, _IMMUTABLE):
        return ("value", type(value).__name__, value)
    try:
        return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=16).digest()
    except Exception:
        return ("id", id(value))
