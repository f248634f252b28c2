"""The CPU path: numba ``vectorize(target="parallel")`` for elementwise kernels, ``njit(parallel=True)`` for
grid ones.

Used by ``device="cpu"``, and by ``device="auto"`` where no CUDA device is usable. Floating-point errors
follow numpy's model (``1/0 -> inf``), as on CUDA, so every path gives the same answer. Grid kernels are
compiled with bounds checking: an out-of-range index raises ``IndexError`` instead of corrupting memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from parallelize._gpu import diagnostics
from parallelize._gpu.arguments import CallSpec, describe_argument, is_device_array
from parallelize._gpu.codegen import arrange, elementwise_source
from parallelize._gpu.rewrite import rewrite_grid_kernel

__all__ = ["CpuElementwise", "CpuGrid", "infer_return_dtype"]

_lock = threading.Lock()
_return_types: dict[tuple[Any, ...], np.dtype[Any]] = {}


def _numba_types(dtypes: Sequence[np.dtype[Any]]) -> tuple[Any, ...]:
    import numba

    return tuple(numba.from_dtype(d) for d in dtypes)


def _jit_with_cache(
    factory: Callable[..., Any], func: Callable[..., Any], cache: bool, *args: Any, **options: Any
) -> Any:
    """Apply a numba decorator with ``cache=True`` where numba can cache ``func`` on disk, else without."""
    if cache:
        try:
            return factory(*args, cache=True, **options)(func)
        except Exception as exc:  # RuntimeError "cannot cache function ...: no locator available"
            if "cache" not in str(exc):
                raise
    return factory(*args, **options)(func)


def infer_return_dtype(
    func: Callable[..., Any], dtypes: Sequence[np.dtype[Any]], target: str
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
    dispatcher = _jit_with_cache(numba.njit, func, True, error_model="numpy")
    try:
        result = dispatcher.compile(argtypes)
    except NumbaError as exc:
        raise diagnostics.from_numba_error(exc, func, target) from None
    return_type = getattr(result, "signature", None)
    return_type = (
        return_type.return_type
        if return_type is not None
        else dispatcher.overloads[argtypes].signature.return_type
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
        self._scalar: Any = None
        self._loops: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def _loop(self, layout: tuple[str, ...], ndim: int) -> Any:
        import numba

        with self._lock:
            if self._scalar is None:
                self._scalar = _jit_with_cache(numba.njit, self.func, self.cache, error_model="numpy")
            loop = self._loops.get((layout, ndim))
            if loop is None:
                namespace: dict[str, Any] = {"prange": numba.prange, "fn": self._scalar, "min": min}
                source = elementwise_source(layout, ndim, "cpu")
                exec(compile(source, f"<parallelize elementwise loop for {self.name}>", "exec"), namespace)
                loop = self._loops[(layout, ndim)] = numba.njit(parallel=True, error_model="numpy")(
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
                started = time.perf_counter()
                try:
                    loop.compile(signature)
                except NumbaError as exc:
                    raise diagnostics.from_numba_error(exc, self.func, "CPU") from None
                diagnostics.record_compile(self.name, "cpu", time.perf_counter() - started)
            started = time.perf_counter()
            loop(out_view, *arguments)
            diagnostics.record_run(self.name, "cpu", time.perf_counter() - started)
        return result if shape or out is not None else result[0]


class CpuGrid:
    """A grid kernel run as ``for i in prange(threads): kernel(i, threads, *args)``."""

    def __init__(self, func: Callable[..., Any], name: str) -> None:
        self.func = func
        self.name = name
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
        namespace: dict[str, Any] = {"prange": numba.prange, "body": body}
        exec(compile(source, f"<parallelize grid driver for {self.name}>", "exec"), namespace)
        namespace["safe"] = numba.njit(error_model="numpy")(namespace["safe"])
        return body, numba.njit(parallel=True, error_model="numpy")(namespace["driver"])

    def run(self, args: Sequence[Any], threads: int) -> None:
        """Run the kernel once per thread index in ``range(threads)``; arrays are updated in place."""
        import numba
        from numba.core.errors import NumbaError

        for position, value in enumerate(args):
            if is_device_array(value):
                raise TypeError(
                    f"{describe_argument(position, [])} is a CUDA device array; "
                    "the CPU path needs host arrays"
                )
        with self._lock:
            if self._driver is None:
                self._driver = self._build(len(args))
            body, driver = self._driver
        failed = np.zeros(1, dtype=np.intp)
        typeof: Any = numba.typeof
        signature = (numba.intp, typeof(failed), *(typeof(a) for a in args))
        if signature not in driver.overloads:
            started = time.perf_counter()
            try:
                driver.compile(signature)
            except NumbaError as exc:
                raise diagnostics.from_numba_error(exc, self.func, "CPU") from None
            diagnostics.record_compile(self.name, "cpu", time.perf_counter() - started)
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
