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

from parallelize._gpu import diagnostics, diskcache
from parallelize._gpu.arguments import CallSpec, describe_argument, is_device_array
from parallelize._gpu.codegen import arrange, elementwise_source
from parallelize._gpu.rewrite import rewrite_grid_kernel

__all__ = ["CpuElementwise", "CpuGrid", "compile_timed", "infer_return_dtype", "scalar_dispatcher"]

_lock = threading.Lock()
_return_types: dict[tuple[Any, ...], np.dtype[Any]] = {}


def _numba_types(dtypes: Sequence[np.dtype[Any]]) -> tuple[Any, ...]:
    import numba

    return tuple(numba.from_dtype(d) for d in dtypes)


_scalars: weakref.WeakKeyDictionary[Callable[..., Any], dict[bool, Any]] = weakref.WeakKeyDictionary()


def scalar_dispatcher(func: Callable[..., Any], cache: bool) -> Any:
    """Return the one ``njit`` dispatcher of a kernel's scalar function per process (typing and the loops share
    it), with numba's on-disk cache where ``func`` can be fingerprinted soundly (see ``diskcache``)."""
    import numba

    cache = cache and diskcache.cacheable(func)
    with _lock:
        per_func = _scalars.setdefault(func, {})
        if cache not in per_func:
            per_func[cache] = numba.njit(cache=cache, error_model="numpy")(func)
        return per_func[cache]


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
        if key in _return_types:
            return _return_types[key]
    argtypes = _numba_types(dtypes)
    dispatcher = scalar_dispatcher(func, cache)
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
        _return_types[key] = dtype
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
                    "fn": scalar_dispatcher(self.func, self.cache),
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

    def run(self, spec: CallSpec, ret: np.dtype[Any], out: Any) -> Any:
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
        layout, target, arguments, out_view = arrange(spec.values, spec.is_array, shape, result)
        if out_view.size:
            loop = self._loop(layout, len(target))
            typeof: Any = numba.typeof
            signature = (typeof(out_view), *(typeof(a) for a in arguments))
            if signature not in loop.overloads:
                try:
                    compile_timed(loop, signature, self.name, "cpu")
                except NumbaError as exc:
                    raise diagnostics.from_numba_error(exc, self.func, "CPU") from None
            started = time.perf_counter()
            loop(out_view, *arguments)
            diagnostics.record_run(self.name, "cpu", time.perf_counter() - started)
        return result if shape or out is not None else result[0]


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
