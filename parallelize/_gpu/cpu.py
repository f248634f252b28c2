"""The CPU path: numba ``vectorize(target="parallel")`` for elementwise kernels, ``njit(parallel=True)`` for
grid ones.

Used by ``device="cpu"``, and by ``device="auto"`` where no CUDA device is usable. Floating-point errors
follow numpy's model (``1/0 -> inf``), as on CUDA, so every path gives the same answer. Grid kernels are
compiled with bounds checking: an out-of-range index raises ``IndexError`` instead of corrupting memory.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from parallelize._compat import add_note
from parallelize._gpu import diagnostics, diskcache
from parallelize._gpu.arguments import ElementwiseCall, describe_argument, is_device_array, separate_from_out
from parallelize._gpu.codegen import arrange, elementwise_source
from parallelize._gpu.rewrite import rewrite_grid_kernel

__all__ = ["CpuElementwise", "CpuGrid", "compile_timed", "infer_return_dtype", "scalar_dispatcher"]

_lock = threading.Lock()
# Per function (weakly: kernels made by a factory go away with their functions), argument dtypes -> result dtype.
_return_types: weakref.WeakKeyDictionary[Callable[..., Any], dict[tuple[str, ...], np.dtype[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _numba_types(dtypes: Sequence[np.dtype[Any]]) -> tuple[Any, ...]:
    import numba

    return tuple(numba.from_dtype(d) for d in dtypes)


_scalars: weakref.WeakKeyDictionary[Callable[..., Any], Any] = weakref.WeakKeyDictionary()


def scalar_dispatcher(func: Callable[..., Any]) -> Any:
    """Return the one ``njit`` dispatcher of a kernel's scalar function per process (typing and the loops share
    it). It is never put in numba's disk cache itself: numba keys that by file and bytecode only, so a kernel
    reading a global that changed between runs would load stale code. The loops around it are cached (under
    keys that see those values), and they contain its code."""
    import numba

    with _lock:
        dispatcher = _scalars.get(func)
        if dispatcher is None:
            dispatcher = _scalars[func] = numba.njit(error_model="numpy")(func)
        return dispatcher


def compile_timed(dispatcher: Any, signature: tuple[Any, ...], name: str, device: str) -> None:
    """Compile ``signature`` (or load it from numba's disk cache) and record which it was, and how long."""
    started = time.perf_counter()
    hits = diagnostics.cache_hits(dispatcher)
    dispatcher.compile(signature)
    loaded = diagnostics.cache_hits(dispatcher) > hits
    diagnostics.record_compile(name, device, time.perf_counter() - started, loaded=loaded)


def infer_return_dtype(
    func: Callable[..., Any], dtypes: Sequence[np.dtype[Any]], target: str, cache: bool = True
) -> np.dtype[Any]:
    """Return the dtype numba infers for ``func(*scalars of dtypes)``.

    Raises:
        KernelCompileError: numba cannot compile ``func`` (names the construct and line).
        TypeError: ``func`` returns something other than a number.
    """
    import numba
    from numba.core.errors import NumbaError

    key = (func, tuple(map(str, dtypes)))
    with _lock:
        found = _return_types.get(func, {}).get(key[1])
    if found is not None:
        return found
    # A process that loads the kernel's loops from the disk cache must not compile the function just to type it.
    known = diskcache.return_types(func) if cache else {}
    try:
        recorded = np.dtype(known[",".join(key[1])]) if ",".join(key[1]) in known else None
    except TypeError:  # a damaged record: type the function again
        recorded = None
    if recorded is not None and recorded.kind in "biufc":
        with _lock:
            _return_types.setdefault(func, {})[key[1]] = recorded
        return recorded
    argtypes = _numba_types(dtypes)
    dispatcher = scalar_dispatcher(func)
    try:
        result = dispatcher.compile(argtypes)
    except NumbaError as exc:
        raise diagnostics.from_numba_error(exc, func, target) from None
    return_type = getattr(result, "signature", None)
    return_type = (
        return_type.return_type if return_type is not None else dispatcher.overloads[argtypes].signature.return_type
    )
    try:
        dtype = np.dtype(numba.np.numpy_support.as_dtype(return_type))
    except NumbaError:
        raise TypeError(
            f"elementwise kernel {func.__qualname__!r} must return a number for every element; "
            f"for arguments {', '.join(map(str, dtypes))} it returns {return_type}"
        ) from None
    with _lock:
        _return_types.setdefault(func, {})[key[1]] = dtype
    if cache:
        diskcache.remember_return_type(func, ",".join(key[1]), dtype.str)
    return dtype


class CpuElementwise:
    """A scalar function inside generated ``prange`` loops, one per argument layout (see ``codegen``)."""

    def __init__(self, func: Callable[..., Any], name: str, cache: bool) -> None:
        self.func = func
        self.name = name
        self.cache = cache
        self._loops: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def _loop(self, layout: tuple[str, ...], ndim: int) -> Any:
        import numba

        with self._lock:
            loop = self._loops.get((layout, ndim))
            if loop is None:
                namespace: dict[str, Any] = {
                    "prange": numba.prange,
                    "njit": numba.njit,
                    "fn": scalar_dispatcher(self.func),
                    "min": min,
                }
                namespace, on_disk = diskcache.load_generated(
                    elementwise_source(layout, ndim, "cpu"),
                    f"<parallelize elementwise loop for {self.name}>",
                    self.func,
                    namespace,
                    cache=self.cache,
                )
                loop = self._loops[(layout, ndim)] = numba.njit(parallel=True, error_model="numpy", cache=on_disk)(
                    namespace["kernel"]
                )
        return loop

    def run(self, spec: ElementwiseCall, ret: np.dtype[Any], out: Any) -> Any:
        """Compute the kernel over the broadcast arguments; write into ``out`` when given."""
        import numba
        from numba.core.errors import NumbaError

        for position, value in enumerate([*spec.values, out]):
            if is_device_array(value):
                raise TypeError(
                    f"{describe_argument(position, [])} is a CUDA device array; "
                    "the CPU path needs host arrays. "
                    "Use device='cuda' (or 'simulator'), or copy it to the host first"
                )
        shape = spec.shape
        result = out if out is not None else np.empty(shape if shape else (1,), dtype=ret)
        values = separate_from_out(spec.values, spec.is_array, out)
        layout, target, arguments, out_view = arrange(values, spec.is_array, shape, result)
        if out_view.size:
            loop = self._loop(layout, len(target))
            failed = np.zeros(1, dtype=np.intp)
            typeof: Any = numba.typeof
            signature = (typeof(out_view), typeof(failed), *(typeof(a) for a in arguments))
            if signature not in loop.overloads:
                try:
                    compile_timed(loop, signature, self.name, "cpu")
                except NumbaError as exc:
                    raise diagnostics.from_numba_error(exc, self.func, "CPU") from None
            started = time.perf_counter()
            loop(out_view, failed, *arguments)
            diagnostics.record_run(self.name, "cpu", time.perf_counter() - started)
            if failed[0]:
                self._raise_for(int(failed[0]) - 1, layout, target, arguments, shape)
        return result if shape or out is not None else result[0]

    def _raise_for(
        self, flat: int, layout: Sequence[str], target: tuple[int, ...], arguments: list[Any], shape: tuple[int, ...]
    ) -> None:
        """Run the failing element alone, serially, so it raises its own exception; name the element by its
        position in the result."""
        index = np.unravel_index(flat, target)
        values = []
        for kind, value in zip(layout, arguments, strict=False):
            if kind == "s":
                values.append(value)
            elif kind == "f":
                values.append(value[index])
            else:
                values.append(value[tuple(min(j, n - 1) for j, n in zip(index, value.shape, strict=False))])
        position = np.unravel_index(flat, shape) if shape else ()
        where = f"element {tuple(int(j) for j in position)}" if len(shape) > 1 else f"element {flat}"
        try:
            scalar_dispatcher(self.func)(*values)
        except Exception as exc:
            add_note(exc, f"raised by elementwise kernel {self.name!r} at {where} of the result")
            raise
        raise RuntimeError(f"elementwise kernel {self.name!r} raised at {where} of the result")


class CpuGrid:
    """A grid kernel run as ``for i in prange(threads): kernel(i, threads, *args)``."""

    def __init__(self, func: Callable[..., Any], name: str, cache: bool = True) -> None:
        self.func = func
        self.name = name
        self.cache = cache
        self._driver: Any = None
        self._lock = threading.Lock()

    def _build(self, arity: int) -> tuple[Any, Any]:
        import numba

        body = numba.njit(boundscheck=True, error_model="numpy")(rewrite_grid_kernel(self.func, "cpu"))
        params = ", ".join(f"a{i}" for i in range(arity))
        # An exception raised inside a prange body is dropped by numba's parallel backend, and try/except
        # in the loop itself turns parallelism off, so a helper catches it and the driver records the
        # failing thread.
        source = (
            f"@njit(error_model='numpy')\n"
            f"def safe(i, n, {params}):\n"
            f"    try:\n"
            f"        body(i, n, {params})\n"
            f"        return False\n"
            f"    except Exception:\n"
            f"        return True\n"
            f"def driver(n, failed, {params}):\n"
            f"    for i in prange(n):\n"
            f"        if safe(i, n, {params}):\n"
            f"            failed[0] = i + 1\n"
        )
        namespace: dict[str, Any] = {"prange": numba.prange, "body": body, "njit": numba.njit}
        # The driver's cache entry holds ``safe`` and ``body`` compiled into it; the file's name covers the
        # kernel's closure values, which the rewritten body reads as globals.
        namespace, on_disk = diskcache.load_generated(
            source, f"<parallelize grid driver for {self.name}>", self.func, namespace, cache=self.cache
        )
        return body, numba.njit(parallel=True, error_model="numpy", cache=on_disk)(namespace["driver"])

    def run(self, args: Sequence[Any], threads: int) -> None:
        """Run the kernel once per thread index in ``range(threads)``; arrays are updated in place."""
        import numba
        from numba.core.errors import NumbaError

        for position, value in enumerate(args):
            if is_device_array(value):
                raise TypeError(
                    f"{describe_argument(position, [])} is a CUDA device array; the CPU path needs host arrays"
                )
        with self._lock:
            if self._driver is None:
                self._driver = self._build(len(args))
            body, driver = self._driver
        failed = np.zeros(1, dtype=np.intp)
        typeof: Any = numba.typeof
        signature = (numba.intp, typeof(failed), *(typeof(a) for a in args))
        if signature not in driver.overloads:
            try:
                compile_timed(driver, signature, self.name, "cpu")
            except NumbaError as exc:
                read_only = [
                    describe_argument(position, [])
                    for position, value in enumerate(args)
                    if isinstance(value, np.ndarray) and not value.flags.writeable
                ]
                if read_only and "setitem" in str(exc):
                    raise ValueError(
                        f"grid kernel {self.name!r} writes into a read-only array ({', '.join(read_only)}); "
                        "pass a writeable array (np.array(x) makes a writeable copy)"
                    ) from None
                raise diagnostics.from_numba_error(exc, self.func, "CPU") from None
        started = time.perf_counter()
        driver(threads, failed, *args)
        diagnostics.record_run(self.name, "cpu", time.perf_counter() - started)
        if failed[0]:
            thread = int(failed[0]) - 1
            try:  # run the failing thread alone, serially, to raise its own exception with its own message
                body(thread, threads, *args)
            except Exception as exc:
                raise type(exc)(f"grid kernel {self.name!r}, thread {thread} of {threads}: {exc}") from None
            raise RuntimeError(f"grid kernel {self.name!r} raised in thread {thread} of {threads}")
