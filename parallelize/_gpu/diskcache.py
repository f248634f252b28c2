"""Files for the code we generate around a kernel, so numba's on-disk cache (``cache=True``) can find it again.

Numba caches a compiled function beside its source file and looks it up by that file's timestamp and the
function's own bytecode. Neither sees what our generated loops depend on: every elementwise loop has the same
bytecode whatever the user's scalar function is, and it calls that function through a global. So each generated
source is written to its own file, named by a hash of the source and of the user's function (its bytecode,
constants, closure values, file and that file's timestamp) plus the versions of parallelize, numba and Python.
Editing the kernel's file gives a new name and a fresh compile; a new process (a loky worker, the next run of a
script) finds the old one and loads the machine code instead of compiling.

Numba bakes the values of the globals and closure cells a kernel reads into the machine code, so those values
are part of the name too: numbers and strings by value, numpy arrays by content, and the functions the kernel
calls by their own code and values. A kernel that reads ``K = float(sys.argv[1])`` gets a fresh compile when
``K`` changes. Functions we cannot key soundly are compiled in memory only: no source file (a notebook cell,
``exec``), or a read of some other object (numba would bake it in, and we cannot tell when it changes). A
directory we cannot write means memory only too.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import sys
import tempfile
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parallelize._cachedir import cache_root, replace_atomically, writable_dir

__all__ = [
    "cache_dir",
    "cacheable",
    "fingerprint",
    "load_generated",
    "remember_return_type",
    "return_types",
]

_PLAIN = (int, float, complex, bool, str, bytes, type(None))
_lock = threading.Lock()


def cache_dir() -> Path:
    """Return the directory for generated kernel sources (numba's cache files go in its ``__pycache__``)."""
    return cache_root() / "kernels"


def _writable() -> bool:
    return writable_dir("kernels") is not None


class _Unkeyable(Exception):
    """A value numba would bake into the code that we cannot key soundly."""


class _Key:
    """Builds the part of a fingerprint that covers what a function reads: closure cells and module globals,
    following the functions it calls (numba compiles them into the caller)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.has_data = False  # a number, string or array was keyed: numba's own cache key would miss it
        self.calls = False  # another Python function was keyed: numba's own key sees only the caller's code
        self._seen: set[int] = set()

    def add(self, text: str | bytes) -> None:
        self.digest.update(text.encode() if isinstance(text, str) else text)
        self.digest.update(b"\0")

    def value(self, value: Any, depth: int, attributes: frozenset[str] = frozenset()) -> None:
        """Key one value the code reads; ``attributes``: the attribute names the code uses, looked up on modules
        (``helpers.K`` reads ``K`` from ``helpers``)."""
        import numba
        import numpy as np

        if isinstance(value, _PLAIN):
            self.has_data = True
            self.add(f"{type(value).__name__}:{value!r}")
        elif isinstance(value, tuple):
            self.add(f"tuple:{len(value)}")
            for item in value:
                self.value(item, depth, attributes)
        elif isinstance(value, np.ndarray) and not value.dtype.hasobject:
            self.has_data = True
            self.add(f"array:{value.dtype.str}:{value.shape}")
            self.add(hashlib.sha256(np.ascontiguousarray(value).tobytes()).digest())
        elif isinstance(value, np.generic) and not isinstance(value, np.object_):
            self.has_data = True
            self.add(f"scalar:{value.dtype.str}")
            self.add(value.tobytes())
        elif isinstance(value, types.ModuleType):
            self.module(value, depth, attributes)
        elif inspect.isfunction(getattr(value, "py_func", value)):
            self.calls = True
            self.function(getattr(value, "py_func", value), depth + 1)
        elif isinstance(value, (types.BuiltinFunctionType, np.ufunc)) and _is_library(
            getattr(value, "__module__", None) or "numpy"
        ):
            self.add(f"callable:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)!r}")
        elif isinstance(value, numba.core.types.Type):  # numba types used as constructors: float32(x)
            self.add(f"numba:{value!r}")
        else:  # a class, an instance, a jitclass...: nothing tells us when it changes
            raise _Unkeyable(type(value).__name__)

    def module(self, module: types.ModuleType, depth: int, attributes: frozenset[str]) -> None:
        self.add(f"module:{module.__name__}")
        if _is_library(module.__name__):
            return  # numpy, math, numba: their attributes change with their versions, which the key holds
        for name in sorted(attributes):
            if depth > 4:
                raise _Unkeyable("modules nested too deep")
            if name in vars(module):
                self.add(f"attribute:{name}")
                self.value(vars(module)[name], depth + 1, attributes)

    def function(self, func: Any, depth: int) -> None:
        if id(func) in self._seen:
            return
        self._seen.add(id(func))
        if depth > 4:
            raise _Unkeyable("functions nested too deep")
        code = func.__code__
        # Not the file name: a function shipped by value to a worker arrives with "<dynamic-code>" as its file, and
        # its code is keyed in full anyway (the top-level function's file is stamped in fingerprint()).
        self.add(f"function:{func.__module__}|{func.__qualname__}|{code.co_firstlineno}")
        for part in _code_bytes(code):
            self.add(part)
        names = frozenset(_names(code))
        for cell in func.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell: the closure is still being built
                raise _Unkeyable("empty closure cell") from None
            self.value(contents, depth, names)
        scope = func.__globals__
        for name in sorted(names):
            if name in scope:
                self.add(f"global:{name}")
                self.value(scope[name], depth, names)


_LIBRARIES = ("numpy", "math", "cmath", "numba", "builtins", "parallelize")


def _is_library(module: str) -> bool:
    return module.split(".", maxsplit=1)[0] in _LIBRARIES


def _names(code: Any) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= _names(const)
    return names


def _key(func: Callable[..., Any]) -> _Key | None:
    code = getattr(func, "__code__", None)
    if code is None or not os.path.isfile(code.co_filename):
        return None
    key = _Key()
    try:
        key.function(func, 0)
    except _Unkeyable:
        return None
    return key


def cacheable(func: Callable[..., Any], *, allow_closure: bool = True) -> bool:
    """Return whether code compiled from ``func`` may go in the on-disk cache.

    ``func`` needs a source file that exists (numba keys its cache by that file), and everything it reads
    (closure values, module globals, the functions it calls and what they read) must be something we can key:
    numbers, strings, numpy arrays, modules, functions. ``allow_closure=False`` is for code numba caches under
    its own key (file and bytecode), which sees none of those values: it refuses any closure or global value.
    """
    key = _key(func)
    if key is None:
        return False
    return allow_closure or not (key.has_data or key.calls)


def _code_bytes(code: Any) -> list[bytes]:
    parts = [code.co_code, repr(code.co_names).encode(), repr(code.co_varnames).encode()]
    for const in code.co_consts:
        parts.extend(_code_bytes(const) if hasattr(const, "co_code") else [repr(const).encode()])
    return parts


def fingerprint(func: Callable[..., Any]) -> str:
    """Return a hash of everything numba bakes into code compiled from ``func``: bytecode and constants, the
    values of closure cells and of the module globals it reads (arrays by content), the same for the functions
    it calls, its file's timestamp, and the versions of parallelize, numba and Python.

    Raises:
        ValueError: ``func`` is not :func:`cacheable`.
    """
    import numba

    from parallelize import __version__

    key = _key(func)
    if key is None:
        raise ValueError(f"{getattr(func, '__qualname__', func)!r} cannot be keyed for the disk cache")
    stat = os.stat(func.__code__.co_filename)
    import numpy

    key.add(f"{__version__}|{numba.__version__}|{numpy.__version__}|{sys.version}")
    key.add(f"{func.__code__.co_filename}|{stat.st_mtime_ns}|{stat.st_size}")
    return key.digest.hexdigest()


def _write_once(path: Path, text: str) -> None:
    """Create ``path`` with ``text`` unless it exists; never rewrite it, since numba's cache entries check its
    timestamp."""
    if path.exists():
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".py")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            os.link(temporary, path)  # atomic, and fails where another process got there first
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links
            if not path.exists():
                os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def load_generated(
    source: str, label: str, func: Callable[..., Any], namespace: dict[str, Any], *, cache: bool
) -> tuple[dict[str, Any], bool]:
    """Execute generated ``source`` in ``namespace``; return the namespace and whether it came from a file
    numba can cache against.

    With ``cache`` and a :func:`cacheable` ``func``, the source is written (once) to a file under
    :func:`cache_dir` named by a hash of the source and :func:`fingerprint`, and executed from there. Otherwise it
    is compiled from the string, with ``label`` as its file name in tracebacks.
    """
    if cache and cacheable(func) and _writable():
        digest = hashlib.sha256(source.encode())
        digest.update(fingerprint(func).encode())
        stem = f"pz_{digest.hexdigest()[:32]}"
        path = cache_dir() / f"{stem}.py"
        expected = f"# {label}\n# generated by parallelize; safe to delete\n{source}"
        try:
            _write_once(path, expected)
            if path.read_text(encoding="utf-8") != expected:  # damaged or edited: replace it, once
                path.unlink()
                _write_once(path, expected)
            valid = path.read_text(encoding="utf-8") == expected
        except OSError:
            valid = False
        if valid:
            return _module(f"_parallelize_kernel_{stem[3:]}", path, expected, namespace).__dict__, True
    exec(compile(source, label, "exec"), namespace)
    return namespace, False


def _module(name: str, path: Path, text: str, namespace: dict[str, Any]) -> types.ModuleType:
    """Return the generated file as a module registered in ``sys.modules`` (once per process): numba names a
    cached function's module, and imports it by that name when it loads the function in a new process."""
    with _lock:
        module = sys.modules.get(name)
        if module is None:
            module = types.ModuleType(name)
            module.__file__ = str(path)
            module.__dict__.update(namespace)
            exec(compile(text, str(path), "exec"), module.__dict__)
            sys.modules[name] = module
        return module


def _types_path(func: Callable[..., Any]) -> Path | None:
    if not cacheable(func) or not _writable():
        return None
    return cache_dir() / f"pz_{fingerprint(func)[:32]}.types.json"


def return_types(func: Callable[..., Any]) -> dict[str, str]:
    """Return the result dtypes recorded for ``func`` (argument dtypes joined by commas -> dtype string)."""
    path = _types_path(func)
    if path is None:
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def remember_return_type(func: Callable[..., Any], arguments: str, result: str) -> None:
    """Record ``func``'s result dtype for these argument dtypes (replaced atomically; a lost race costs a
    compile)."""
    path = _types_path(func)
    if path is None:
        return
    known = return_types(func)
    if known.get(arguments) == result:
        return
    known[arguments] = result
    replace_atomically(path, json.dumps(known).encode())


def cache_size() -> tuple[int, int]:
    """Return (files, bytes) under :func:`cache_dir`, for ``parallelize info --gpu``."""
    files = size = 0
    root = cache_dir()
    if root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                files += 1
                size += path.stat().st_size
    return files, size
