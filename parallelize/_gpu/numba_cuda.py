"""The CUDA path (a real device, or numba's simulator in this process): generated elementwise kernels, grid
kernels.

Elementwise: the scalar function becomes a ``cuda.jit(device=True)`` function called by a generated
grid-stride kernel, one per (argument kinds, ranks) combination. Broadcasting happens in the kernel's indexing
(a broadcast dimension reads index 0), so nothing is materialised on the host. Arguments that already live on
the device (``__cuda_array_interface__``) are used in place and the result stays on the device.
"""

from __future__ import annotations

import dis
import inspect
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from parallelize._gpu import diagnostics, diskcache
from parallelize._gpu.arguments import CallSpec, is_device_array
from parallelize._gpu.codegen import arrange, elementwise_source
from parallelize._gpu.launch import DeviceLimits, LaunchConfig, compute_launch
from parallelize._gpu.rewrite import rewrite_grid_kernel

__all__ = ["SIMULATOR_LIMITS", "CudaElementwise", "CudaGrid", "may_raise"]

# The simulator runs every CUDA thread as a Python thread (~100 us per element): report one multiprocessor so
# grid-stride kernels launch at most 32 blocks, the same code path as a device at a fraction of the threads.
SIMULATOR_LIMITS = DeviceLimits(max_threads_per_block=1024, max_grid_dim_x=2**31 - 1, multiprocessor_count=1)


def _to_device(value: Any, cuda: Any) -> Any:
    if not is_device_array(value):
        return cuda.to_device(np.ascontiguousarray(value))
    if hasattr(value, "__cuda_array_interface__") and not cuda.devicearray.is_cuda_ndarray(value):
        return cuda.as_cuda_array(value)  # CuPy arrays, PyTorch CUDA tensors: a view, no copy
    return value


def may_raise(func: Callable[..., Any]) -> bool:
    """Return whether ``func`` (or a function it calls through a global) contains ``raise`` or ``assert``."""
    seen: set[int] = set()

    def code_raises(code: Any, scope: dict[str, Any], depth: int) -> bool:
        if id(code) in seen:
            return False
        seen.add(id(code))
        for instruction in dis.get_instructions(code):
            if instruction.opname == "RAISE_VARARGS":
                return True
        for const in code.co_consts:
            if hasattr(const, "co_code") and code_raises(const, scope, depth):
                return True
        if depth < 3:
            for name in code.co_names:
                target = getattr(scope.get(name), "py_func", scope.get(name))
                if inspect.isfunction(target) and code_raises(target.__code__, target.__globals__, depth + 1):
                    return True
        return False

    return code_raises(func.__code__, func.__globals__, 0)


def _exception_options(func: Callable[..., Any]) -> dict[str, Any]:
    return {"debug": True, "opt": False} if may_raise(func) else {}


class _Timed:
    """Time one launch; record it as a compile (or a load from numba's disk cache) when it added an
    overload, else as a run. A launch that raises records nothing."""

    def __init__(self, kernel: Any, name: str, device: str) -> None:
        self.kernel, self.name, self.device = kernel, name, device

    def __enter__(self) -> None:
        self.overloads = len(getattr(self.kernel, "overloads", {}))
        self.hits = diagnostics.cache_hits(self.kernel)
        self.started = time.perf_counter()

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None:
            return
        elapsed = time.perf_counter() - self.started
        if len(getattr(self.kernel, "overloads", {})) > self.overloads:
            loaded = diagnostics.cache_hits(self.kernel) > self.hits
            diagnostics.record_compile(self.name, self.device, elapsed, loaded=loaded)
        else:
            diagnostics.record_run(self.name, self.device, elapsed)


class CudaElementwise:
    """A scalar function as generated CUDA kernels, one per argument layout."""

    def __init__(self, func: Callable[..., Any], name: str, device: str, cache: bool = True) -> None:
        self.func = func
        self.name = name
        self.device = device
        self.cache = cache and device == "cuda"  # the simulator runs Python; nothing to keep
        # A device ignores exceptions unless the kernel is compiled with debug=True, which adds the check (and
        # needs opt=False: NVVM can fail on debug with optimisation). Only kernels that can raise pay for it.
        self.checks = _exception_options(func) if device == "cuda" else {}
        self._kernels: dict[tuple[Any, ...], Any] = {}
        self._device_fn: Any = None
        self._lock = threading.Lock()

    def _kernel(self, layout: tuple[str, ...], ndim: int) -> Any:
        from numba import cuda

        key = (layout, ndim)
        with self._lock:
            if self._device_fn is None:
                self._device_fn = cuda.jit(device=True, **self.checks)(self.func)  # type: ignore[no-untyped-call]
            kernel = self._kernels.get(key)
            if kernel is None:
                namespace: dict[str, Any] = {"cuda": cuda, "fn": self._device_fn, "min": min}
                namespace, on_disk = diskcache.load_generated(
                    elementwise_source(layout, ndim, "cuda"),
                    f"<parallelize elementwise kernel for {self.name}>",
                    self.func,
                    namespace,
                    cache=self.cache,
                )
                kernel = self._kernels[key] = cuda.jit(  # type: ignore[no-untyped-call]
                    namespace["kernel"], cache=on_disk, **self.checks
                )
        return kernel

    def run(self, spec: CallSpec, ret: np.dtype[Any], out: Any, limits: DeviceLimits) -> Any:
        """Compute the kernel over the broadcast arguments; the result stays on the device if any input was
        there."""
        from numba import cuda
        from numba.core.errors import NumbaError

        shape = spec.shape
        size = int(np.prod(shape)) if shape else 1
        arrays = [_to_device(v, cuda) if a else v for v, a in zip(spec.values, spec.is_array, strict=False)]
        padded = shape if shape else (1,)
        device_out = out if out is not None and is_device_array(out) else cuda.device_array(padded, dtype=ret)
        device_out = _to_device(device_out, cuda)
        layout, target, launch_args, kernel_out = arrange(arrays, spec.is_array, shape, device_out)
        if size:
            kernel = self._kernel(layout, len(target))
            config = compute_launch(size, limits, grid_stride=True)
            with _Timed(kernel, self.name, self.device):
                try:
                    kernel[config.blocks, config.threads](kernel_out, *launch_args)
                except NumbaError as exc:
                    raise diagnostics.from_numba_error(exc, self.func, self.device) from None
        if out is not None and is_device_array(out):
            return out
        if out is None and spec.on_device:
            return device_out.reshape(shape) if shape else device_out
        host = device_out.copy_to_host().reshape(shape)
        if out is not None:
            np.copyto(out, host, casting="same_kind")
            return out
        return host if shape else host[()]


class CudaGrid:
    """A grid kernel compiled with ``cuda.jit`` after its index calls are rewritten."""

    def __init__(self, func: Callable[..., Any], name: str, device: str, cache: bool = True) -> None:
        self.func = func
        self.name = name
        self.device = device
        # The rewritten kernel keeps the user's file, so numba's own cache keys it by that file and its
        # bytecode; a closure's values become the rewritten function's globals, which that key leaves out.
        self.cache = cache and device == "cuda" and diskcache.cacheable(func, allow_closure=False)
        self._kernel: Any = None
        self._lock = threading.Lock()

    def run(self, args: Sequence[Any], config: LaunchConfig) -> None:
        """Launch; host arrays are copied to the device and back (updated in place), device arrays stay."""
        from numba import cuda
        from numba.core.errors import NumbaError

        with self._lock:
            if self._kernel is None:
                self._kernel = cuda.jit(  # type: ignore[no-untyped-call]
                    rewrite_grid_kernel(self.func, "cuda"),
                    cache=self.cache,
                    **(_exception_options(self.func) if self.device == "cuda" else {}),
                )
            kernel = self._kernel
        if config.total_threads == 0:
            return
        launch_args = [_to_device(a, cuda) if is_device_array(a) else a for a in args]
        with _Timed(kernel, self.name, self.device):
            try:
                kernel[config.blocks, config.threads](*launch_args)
            except NumbaError as exc:
                raise diagnostics.from_numba_error(exc, self.func, self.device) from None
            except IndexError as exc:  # the simulator checks bounds; a device would write out of bounds silently
                raise IndexError(f"grid kernel {self.name!r} indexed out of bounds: {exc}") from None
