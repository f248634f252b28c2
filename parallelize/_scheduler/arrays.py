"""Large numpy arrays on their way to local process workers: memory maps instead of pickles.

An array of ``SHARE_THRESHOLD`` bytes or more, in a call's arguments or items, is not pickled into the call's
spec or batches. Workers get a read-only memory map of a file instead:

- **an array already backed by a file**, opened read-only (``np.load(path, mmap_mode="r")``, or ``np.memmap``
  with ``mode="r"``): the workers map that same file. Nothing is copied and nothing is written, so peak memory
  stays at the array's size whatever the number of workers (joblib sends such arrays the same way);
- **any other array**: written once per call to a file in the call's folder (on ``/dev/shm`` when it exists),
  which the workers map. Peak memory is the array plus that one shared copy. The folder goes when the call ends,
  on success or failure (:class:`ArrayStore`).

A memory map opened for writing (``"r+"``, ``"w+"``) or copy-on-write (``"c"``) is written like an in-memory
array: its contents can change under the caller's hand while the tasks run, and each task must see the values
the array had when it was handed over, as with a plain array. Remote workers (Dask) never get a path: the
arrays travel beside the pickle as raw frames instead (``payload.pickle_spec``).
"""

from __future__ import annotations

import mmap
import os
import shutil
import tempfile
import threading
from typing import Any, Literal

__all__ = ["SHARE_THRESHOLD", "ArrayStore", "load_mapped_file", "load_shared_array", "reduce_array"]

#: Arrays at least this large are shared through a memory-mapped file instead of being pickled per batch.
#: Below ~1 MB, pickling costs less than creating and mapping a file.
SHARE_THRESHOLD = 1 << 20

#: How many shared arrays this process opened (``payload.load_spec`` compares it to tell which specs hold maps).
loaded = 0


def _shm_root() -> str:
    for candidate in ("/dev/shm", tempfile.gettempdir()):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return tempfile.gettempdir()


class ArrayStore:
    """Files backing the large arrays of one call; :meth:`close` removes them."""

    def __init__(self) -> None:
        self._dir: str | None = None
        self._paths: dict[int, tuple[Any, str]] = {}
        self._lock = threading.Lock()

    def path_for(self, array: Any) -> str:
        """Write ``array`` once and return its file's path (the same path for the same array object)."""
        import numpy as np

        with self._lock:
            known = self._paths.get(id(array))
            if known is not None and known[0] is array:
                return known[1]
        path = os.path.join(self.directory(), f"{len(self._paths)}-{id(array)}.npy")
        with self._lock:
            np.save(path, array, allow_pickle=False)
            self._paths[id(array)] = (array, path)
            return path

    def directory(self) -> str:
        """The call's private folder (created on first use), removed by :meth:`close`."""
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.mkdtemp(prefix="parallelize-", dir=_shm_root())
            return self._dir

    @property
    def used(self) -> bool:
        """Whether any array was written."""
        return bool(self._paths)

    def close(self) -> None:
        """Remove every file written for this call."""
        with self._lock:
            directory, self._dir = self._dir, None
            self._paths.clear()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def reduce_array(obj: Any, store: ArrayStore) -> tuple[Any, tuple[Any, ...]] | None:
    """How to send a numpy object to local workers: a memory map's reduction, or None to pickle it as usual."""
    if type(obj).__name__ not in ("ndarray", "memmap") or obj.nbytes < SHARE_THRESHOLD or obj.dtype.hasobject:
        return None
    mapped = _read_only_file(obj)
    if mapped is not None:
        return load_mapped_file, mapped
    return load_shared_array, (store.path_for(obj),)


def _read_only_file(obj: Any) -> tuple[str, str, tuple[int, ...], int, Literal["C", "F"]] | None:
    """``(path, dtype, shape, offset, order)`` of a whole read-only memory map of a file, else None.

    Only a map as numpy opened it (its base is the ``mmap`` itself): a slice or view of one has other strides and
    offsets, and is written to the call's folder like any array.
    """
    if type(obj).__name__ != "memmap" or getattr(obj, "mode", None) != "r" or not isinstance(obj.base, mmap.mmap):
        return None
    filename = getattr(obj, "filename", None)
    if not filename or not os.path.isfile(filename):
        return None
    if not (obj.flags.c_contiguous or obj.flags.f_contiguous):
        return None
    order: Literal["C", "F"] = "C" if obj.flags.c_contiguous else "F"
    return (os.fspath(filename), obj.dtype.str, tuple(obj.shape), int(obj.offset), order)


def load_mapped_file(path: str, dtype: str, shape: tuple[int, ...], offset: int, order: Literal["C", "F"]) -> Any:
    """Map, read-only, the same file region as the caller's read-only memory map (nothing was copied)."""
    import numpy as np

    global loaded
    loaded += 1
    return np.memmap(path, dtype=np.dtype(dtype), mode="r", offset=offset, shape=shape, order=order)


def load_shared_array(path: str) -> Any:
    """Open a shared array read-only in a worker (a memory map of the call's file).

    The spec that holds it stays cached while its call's batches keep coming, and is dropped by
    ``payload.release_shared_specs`` once the worker has been idle briefly, so no map outlives its call for long.
    """
    import numpy as np

    global loaded
    loaded += 1
    return np.load(path, mmap_mode="r", allow_pickle=False)
