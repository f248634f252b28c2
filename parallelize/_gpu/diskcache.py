"""Files for the code we generate around a kernel, so numba's on-disk cache (``cache=True``) can find it again.

Numba caches a compiled function beside its source file and looks it up by that file's timestamp and the
function's own bytecode. Neither sees what our generated loops depend on: every elementwise loop has the same
bytecode whatever the user's scalar function is, and it calls that function through a global. So each generated
source is written to its own file, named by a hash of the source and of the user's function (its bytecode,
constants, closure values, file and that file's timestamp) plus the versions of parallelize, numba and Python.
Editing the kernel's file gives a new name and a fresh compile; a new process (a loky worker, the next run of a
script) finds the old one and loads the machine code instead of compiling.

Functions we cannot fingerprint soundly are compiled in memory only: no source file (a notebook cell, ``exec``),
or a closure over something other than a number, string or None (numba would bake that object in as a constant,
and its value is not part of any key we could compute cheaply). A directory we cannot write means memory only too.

Limits, numba's own: a change to another module that the kernel calls (a helper ``@njit`` function elsewhere)
is not seen; edit the kernel's file, or delete the cache directory (``parallelize info --gpu`` prints it).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cacheable", "fingerprint", "load_generated"]

#: Environment variable that moves the cache (default: ``$XDG_CACHE_HOME/parallelize/kernels``).
CACHE_ENV = "PARALLELIZE_CACHE_DIR"
_PLAIN = (int, float, complex, bool, str, bytes, type(None))
_lock = threading.Lock()
_usable: dict[Path, bool] = {}


def cache_dir() -> Path:
    """Return the directory for generated kernel sources (numba's cache files go in its ``__pycache__``)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "parallelize" / "kernels"


def _writable(directory: Path) -> bool:
    with _lock:
        if directory not in _usable:
            try:
                directory.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
                    pass
                _usable[directory] = True
            except OSError:
                _usable[directory] = False
        return _usable[directory]


def cacheable(func: Callable[..., Any], *, allow_closure: bool = True) -> bool:
    """Return whether code compiled from ``func`` may go in the on-disk cache.

    ``func`` needs a source file that exists (numba keys its cache by that file), and a closure, if any, over
    plain values only. ``allow_closure=False`` refuses closures outright: for code that sees closure values as
    globals, which numba's own key leaves out.
    """
    code = getattr(func, "__code__", None)
    if code is None or not os.path.isfile(code.co_filename):
        return False
    cells = getattr(func, "__closure__", None) or ()
    if cells and not allow_closure:
        return False
    try:
        return all(isinstance(cell.cell_contents, _PLAIN) for cell in cells)
    except ValueError:  # an empty cell: the closure is still being built
        return False


def _code_bytes(code: Any) -> list[bytes]:
    parts = [code.co_code, repr(code.co_names).encode(), repr(code.co_varnames).encode()]
    for const in code.co_consts:
        parts.extend(_code_bytes(const) if hasattr(const, "co_code") else [repr(const).encode()])
    return parts


def fingerprint(func: Callable[..., Any]) -> str:
    """Return a hash of everything numba bakes into code compiled from ``func`` that a reader can see:
    bytecode, constants, closure values, the source file's timestamp (module globals live there) and
    versions."""
    import numba

    from parallelize import __version__

    code = func.__code__
    stat = os.stat(code.co_filename)
    digest = hashlib.sha256()
    for text in (
        f"{__version__}|{numba.__version__}|{sys.version}|{code.co_filename}|{stat.st_mtime_ns}|{stat.st_size}",
        f"{func.__module__}|{func.__qualname__}|{code.co_firstlineno}",
        repr([cell.cell_contents for cell in func.__closure__ or ()]),
    ):
        digest.update(text.encode())
        digest.update(b"\0")
    for part in _code_bytes(code):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


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
    if cache and cacheable(func) and _writable(cache_dir()):
        digest = hashlib.sha256(source.encode())
        digest.update(fingerprint(func).encode())
        stem = f"pz_{digest.hexdigest()[:32]}"
        path = cache_dir() / f"{stem}.py"
        try:
            _write_once(path, f"# {label}\n# generated by parallelize; safe to delete\n{source}")
            text = path.read_text(encoding="utf-8")
        except OSError:
            pass
        else:
            return _module(f"_parallelize_kernel_{stem[3:]}", path, text, namespace).__dict__, True
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
