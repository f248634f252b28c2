"""Rewritten loop-mode functions on disk, so a process that imports a decorated module again (a process worker,
the script's next run) skips the analysis and the rewrite: about 40 ms for a 100-line function, per function.

An entry holds the two code objects and the name tuples of a :class:`~parallelize._rewrite.rewritten.Rewritten`
(``marshal``, which is what ``.pyc`` files use), or a marker for "no loop to rewrite". Refusals are not kept: they
raise, and their cost does not matter. The entry's name is a hash of everything the result depends on: the
decoration key ``pipeline._key`` computes (file, first line, source, the whole module's source, options), the Python
version (bytecode and marshal format) and optimisation level (``-O``), and the size and modification time of every
source file of the analysis and the rewriter, so a changed parallelize never loads a stale rewrite.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import types
from pathlib import Path
from typing import Any

from parallelize._cachedir import replace_atomically, writable_dir

__all__ = ["MAX_ENTRIES", "NO_LOOP", "load", "store"]

#: Stored for a function with no loop to rewrite.
NO_LOOP = "no-loop"
_FORMAT = 1
_implementation: str | None = None


def _implementation_stamp() -> str:
    """Sizes and times of the analysis and rewriter sources, hashed once per process."""
    global _implementation
    if _implementation is None:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for folder in ("_analysis", "_rewrite", "_decorators"):
            for path in sorted((package / folder).rglob("*.py")):
                stat = path.stat()
                digest.update(f"{path.relative_to(package)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        _implementation = digest.hexdigest()
    return _implementation


def _path(key: tuple[Any, ...]) -> Path | None:
    directory = writable_dir("loops")
    if directory is None:
        return None
    # -O and -OO compile asserts and docstrings away: a rewrite compiled under one must not serve the other.
    stamp = (_FORMAT, sys.version, sys.flags.optimize, _implementation_stamp(), key)
    digest = hashlib.sha256(repr(stamp).encode())
    return directory / f"{digest.hexdigest()[:40]}.marshal"


def load(key: tuple[Any, ...]) -> Any:
    """Return the stored outcome for ``key``: a ``Rewritten``, :data:`NO_LOOP`, or None when there is none."""
    path = _path(key)
    if path is None:
        return None
    try:
        data = marshal.loads(path.read_bytes())
        os.utime(path)  # pruning drops the least recently used entries
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if data == NO_LOOP:
        return NO_LOOP
    from parallelize._rewrite.rewritten import Rewritten

    try:
        func_code, body_code, env_names, live_names = data
        valid = isinstance(func_code, types.CodeType) and isinstance(body_code, types.CodeType)
    except (TypeError, ValueError):  # an entry of another shape: written by something else
        valid = False
    if not valid:
        return None
    return Rewritten(func_code, body_code, tuple(env_names), tuple(live_names))


def store(key: tuple[Any, ...], outcome: Any) -> None:
    """Keep ``outcome`` (a ``Rewritten`` or :data:`NO_LOOP`) for ``key``; anything else is not kept."""
    from parallelize._rewrite.rewritten import Rewritten

    if isinstance(outcome, Rewritten):
        data: Any = (outcome.func_code, outcome.body_code, outcome.env_names, outcome.live_names)
    elif outcome == NO_LOOP:
        data = NO_LOOP
    else:
        return
    path = _path(key)
    if path is not None:
        replace_atomically(path, marshal.dumps(data))
        _prune(path.parent)


#: Entries kept at most; past it the least recently used half goes (notebook cells and edited code leave entries
#: behind).
MAX_ENTRIES = 4096


def _prune(directory: Path) -> None:
    try:
        entries = list(directory.glob("*.marshal"))
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime)
        for entry in entries[: len(entries) - MAX_ENTRIES // 2]:
            entry.unlink(missing_ok=True)
    except OSError:  # another process pruning at the same time
        pass
