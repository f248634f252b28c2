"""Compile errors that name the kernel, the file, the line and the construct; per-kernel timing records."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parallelize._errors import KernelCompileError

__all__ = [
    "KernelCompileError",
    "KernelStats",
    "cache_hits",
    "from_numba_error",
    "record_compile",
    "record_run",
    "stats",
]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NUMBA_LOCATION = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _function_location(func: Callable[..., Any]) -> tuple[str, int]:
    code = getattr(func, "__code__", None)
    if code is None:
        return "", 0
    return code.co_filename, code.co_firstlineno


def from_numba_error(exc: Exception, func: Callable[..., Any], target: str) -> KernelCompileError:
    """Turn numba's typing/lowering error into a one-paragraph :class:`KernelCompileError`.

    Numba's message names the construct ("Untyped global name 'open'") and a location relative to the current
    directory; we keep the construct, resolve the location to the kernel's real file and line, and end with
    the fix.
    """
    # Numba colours its messages when a terminal-colour package is importable; the error must read the same anywhere.
    text = _ANSI.sub("", str(exc))
    name = getattr(func, "__qualname__", getattr(func, "__name__", "kernel"))
    filename, first = _function_location(func)
    match = _NUMBA_LOCATION.search(text)
    lineno = int(match.group("line")) if match else _line_using_name(func, text)
    skip = ("Failed in ", "During:", "File ", "<source elided>", "^")
    construct = next(
        (line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(skip)),
        type(exc).__name__,
    )
    source_line = ""
    if lineno is not None and filename:
        import linecache

        source_line = linecache.getline(filename, lineno).strip()
    where = f"{filename}:{lineno}" if lineno is not None else f"{filename}:{first}"
    message = (
        f"cannot compile kernel {name!r} for the {target} path: {construct}\n"
        f"  at {where}: {source_line}\n"
        "Kernels may use numbers, numpy arrays, math functions, loops and branches "
        "(numba's nopython subset); "
        "move other Python code out of the kernel"
    )
    return KernelCompileError(message, name, filename, lineno)


_UNDEFINED_NAME = re.compile(r"name '(?P<name>\w+)' is not defined|Untyped global name '(?P<global>\w+)'")


def _line_using_name(func: Callable[..., Any], text: str) -> int | None:
    """For errors about a name that numba gives without a location, the first line of ``func`` using it."""
    match = _UNDEFINED_NAME.search(text)
    if match is None:
        return None
    name = match.group("name") or match.group("global")
    import inspect

    try:
        lines, first = inspect.getsourcelines(func)
    except (OSError, TypeError):
        return None
    uses = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    for offset, line in enumerate(lines[1:], start=1):  # skip the def line (parameters are never undefined)
        code = line.split("#", 1)[0]
        if uses.search(code):
            return first + offset
    return None


@dataclass
class KernelStats:
    """Compile and run times of one kernel on one path, for ``parallelize info --gpu`` and the benchmark."""

    name: str
    device: str
    compiles: int = 0
    compile_s: float = 0.0
    loads: int = 0
    load_s: float = 0.0
    runs: int = 0
    run_s: float = 0.0
    last_run_s: float = 0.0


_lock = threading.Lock()
_stats: dict[tuple[str, str], KernelStats] = {}


def _entry(name: str, device: str) -> KernelStats:
    key = (name, device)
    if key not in _stats:
        _stats[key] = KernelStats(name, device)
    return _stats[key]


def cache_hits(dispatcher: Any) -> int:
    """Return how many signatures a numba dispatcher has loaded from its on-disk cache (0 without one)."""
    stats = getattr(dispatcher, "stats", None)
    return sum(stats.cache_hits.values()) if stats is not None else 0


def record_compile(name: str, device: str, seconds: float, *, loaded: bool = False) -> None:
    """Add one compilation (one signature) to the kernel's record; ``loaded``: numba's disk cache had it."""
    with _lock:
        entry = _entry(name, device)
        if loaded:
            entry.loads += 1
            entry.load_s += seconds
        else:
            entry.compiles += 1
            entry.compile_s += seconds


def record_run(name: str, device: str, seconds: float) -> None:
    """Add one call's run time (compilation excluded) to the kernel's record."""
    with _lock:
        entry = _entry(name, device)
        entry.runs += 1
        entry.run_s += seconds
        entry.last_run_s = seconds


def stats() -> list[KernelStats]:
    """Return a snapshot of every kernel's record, in first-use order."""
    with _lock:
        return [KernelStats(**vars(s)) for s in _stats.values()]
