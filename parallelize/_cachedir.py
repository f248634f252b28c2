"""Where parallelize keeps what it can reuse across processes: compiled GPU kernels (``kernels/``) and rewritten
loop-mode functions (``loops/``).

``PARALLELIZE_CACHE_DIR`` moves the whole cache (default ``$XDG_CACHE_HOME/parallelize``, else
``~/.cache/parallelize``). Every entry is named by a hash of everything it depends on and written atomically, so
processes share the directory safely; deleting it is always safe. A directory that cannot be written means no disk
cache, never an error.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_root", "replace_atomically", "writable_dir"]

CACHE_ENV = "PARALLELIZE_CACHE_DIR"

_lock = threading.Lock()
_usable: dict[Path, bool] = {}


def cache_root() -> Path:
    """Return the cache's root directory (not created here)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "parallelize"


def writable_dir(name: str) -> Path | None:
    """Return ``cache_root() / name``, created, or None where it cannot be created or written (checked once per
    process and directory)."""
    directory = cache_root() / name
    with _lock:
        if directory not in _usable:
            try:
                directory.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
                    pass
                _usable[directory] = True
            except OSError:
                _usable[directory] = False
        return directory if _usable[directory] else None


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers see the old file or the new one,
    never half of one. Errors are swallowed (a cache that cannot be written is simply not used)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        pass
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
