"""The CUDA path (a real device, or numba's simulator in this process): generated elementwise kernels, grid
kernels.

Elementwise: the scalar function becomes a ``cuda.jit(device=True)`` function called by a generated
grid-stride kernel, one per (argument kinds, ranks) combination. Broadcasting happens in the kernel's indexing
(a broadcast dimension reads index 0), so nothing is materialised on the host. Arguments that already live on
the device (``__cuda_array_interface__``) are used in place and the result stays on the device.
"""

from __future__ import annotations

import contextlib
import dis
import inspect
import threading
import time
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from parallelize._gpu import diagnostics, diskcache
from parallelize._gpu.arguments import ElementwiseCall, is_device_array
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


def _compile_ptx(
    kernel: Callable[..., Any],
    argtypes: tuple[Any, ...],
    cc: tuple[int, int],
    checks: dict[str, Any],
    func: Callable[..., Any],
    device: str,
) -> list[str]:
    """Compile ``kernel`` to PTX for ``cc`` with the launch's options; numba's errors name ``func``'s line.

    Returns the PTX modules, the kernel's first: with ``debug=True`` numba-cuda keeps each device function in a
    module of its own, linked when a device loads the kernel.
    """
    from numba import cuda
    from numba.core.errors import NumbaError

    try:
        with _compiling_for(cc):
            modules, _ = cuda.compile_all(  # type: ignore[attr-defined]
                kernel, argtypes, cc=cc, output="ptx", device=False, abi="numba", **checks
            )
    except NumbaError as exc:
        raise diagnostics.from_numba_error(exc, func, device) from None
    texts = [str(m) for m in modules]
    return sorted(texts, key=lambda text: ".entry" not in text)


@contextlib.contextmanager
def _compiling_for(cc: tuple[int, int]) -> Iterator[None]:
    """Make numba-cuda compile device functions (``cuda.jit(device=True)``) for ``cc``.

    ``compile_ptx(cc=...)`` compiles the kernel for ``cc``, but a device function it calls compiles itself for
    ``get_current_device().compute_capability``, which needs a GPU (``CudaSupportError: CUDA driver library
    cannot be found``) and would be the wrong architecture on a GPU of another kind. numba-cuda 0.30 reads that
    name from its dispatcher module; it is replaced for the duration of the compile, under numba's compiler
    lock, so no other compile sees it.
    """
    from numba.cuda import dispatcher
    from numba.cuda.core.compiler_lock import global_compiler_lock

    target = types.SimpleNamespace(compute_capability=cc)
    with global_compiler_lock:
        original = dispatcher.get_current_device  # type: ignore[attr-defined]
        dispatcher.get_current_device = lambda: target  # type: ignore[attr-defined]
        try:
            yield
        finally:
            dispatcher.get_current_device = original  # type: ignore[attr-defined]


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

    def _device_function(self) -> Any:
        from numba import cuda

        return cuda.jit(device=True, **self.checks)(self.func)  # type: ignore[no-untyped-call]

    def _generated(
        self, layout: tuple[str, ...], ndim: int, cache: bool, device_fn: Any
    ) -> tuple[Callable[..., Any], bool]:
        """Return the generated grid-stride kernel around ``device_fn`` (from :meth:`_device_function`), not
        yet compiled, and whether it lives in a file numba can cache against. The launch path and the compile
        check both compile this function, with :attr:`checks`."""
        from numba import cuda

        namespace: dict[str, Any] = {"cuda": cuda, "fn": device_fn, "min": min}
        namespace, on_disk = diskcache.load_generated(
            elementwise_source(layout, ndim, "cuda"),
            f"<parallelize elementwise kernel for {self.name}>",
            self.func,
            namespace,
            cache=cache,
        )
        return namespace["kernel"], on_disk

    def _kernel(self, layout: tuple[str, ...], ndim: int) -> Any:
        from numba import cuda

        key = (layout, ndim)
        with self._lock:
            kernel = self._kernels.get(key)
            if kernel is None:
                if self._device_fn is None:
                    self._device_fn = self._device_function()
                generated, on_disk = self._generated(layout, ndim, self.cache, self._device_fn)
                kernel = self._kernels[key] = cuda.jit(  # type: ignore[no-untyped-call]
                    generated, cache=on_disk, **self.checks
                )
        return kernel

    def compile_ptx(
        self, layout: tuple[str, ...], argtypes: Sequence[Any], out_type: Any, cc: tuple[int, int]
    ) -> list[str]:
        """Return the PTX modules of the kernel a launch with these argument types would compile, for ``cc``.

        Args:
            layout: per argument, as :func:`~parallelize._gpu.codegen.elementwise_source` takes it.
            argtypes: numba types of the arguments; ``out_type`` the output array's.
            cc: the compute capability, ``(9, 0)``.

        Raises:
            KernelCompileError: numba cannot compile the function (as a launch on a device raises it).
        """
        # A device function of its own: numba compiles it once per argument types, for the cc of the first
        # kernel that calls it, so the launch path's must not be compiled here for another architecture. The
        # generated file is the launch's too (with the cache on), so debug line information finds its source.
        generated, _ = self._generated(layout, out_type.ndim, self.cache, self._device_function())
        return _compile_ptx(generated, (out_type, *argtypes), cc, self.checks, self.func, self.device)

    def run(self, spec: ElementwiseCall, ret: np.dtype[Any], out: Any, limits: DeviceLimits) -> Any:
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
        self.checks = _exception_options(func) if device == "cuda" else {}
        self._kernel: Any = None
        self._python: Callable[..., Any] | None = None
        self._lock = threading.Lock()

    def _rewritten(self) -> Callable[..., Any]:
        """The kernel with its index calls rewritten for CUDA: what a launch and the compile check compile."""
        if self._python is None:
            self._python = rewrite_grid_kernel(self.func, "cuda")
        return self._python

    def compile_ptx(self, argtypes: Sequence[Any], cc: tuple[int, int]) -> list[str]:
        """Return the PTX modules of the kernel a launch with these numba argument types would compile, for ``cc``.

        Raises:
            KernelCompileError: numba cannot compile the kernel (as a launch on a device raises it).
        """
        with self._lock:
            rewritten = self._rewritten()
        return _compile_ptx(rewritten, tuple(argtypes), cc, self.checks, self.func, self.device)

    def run(self, args: Sequence[Any], config: LaunchConfig) -> None:
        """Launch; host arrays are copied to the device and back (updated in place), device arrays stay."""
        from numba import cuda
        from numba.core.errors import NumbaError

        with self._lock:
            if self._kernel is None:
                self._kernel = cuda.jit(self._rewritten(), cache=self.cache, **self.checks)  # type: ignore[no-untyped-call]
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
