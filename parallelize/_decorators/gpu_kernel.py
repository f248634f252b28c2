"""``@gpu_kernel``: scalar functions and grid kernels on CUDA, numba's simulator or the CPU. Imports no
numba."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, overload

from parallelize._gpu.kernel import GPUKernel, KernelOptions
from parallelize._gpu.pycuda_source import SourceKernel

__all__ = ["GPUKernel", "SourceKernel", "gpu_kernel"]


class GpuKernelDecorator:
    """Compile a Python function into a GPU kernel; these two lines give the same array (within float
    tolerance)::

        out = np.vectorize(saxpy)(2.0, x, y)      # serial numpy, one Python call per element
        out = gpu_kernel(saxpy)(2.0, x, y)        # one CUDA thread per element, or numba's parallel CPU loop

    Example::

        >>> import numpy as np
        >>> from parallelize import gpu_kernel
        >>> @gpu_kernel(device="cpu")
        ... def saxpy(a, x, y):
        ...     return a * x + y
        >>> saxpy(2.0, np.arange(3, dtype=np.float32), np.ones(3, dtype=np.float32))
        array([1., 3., 5.], dtype=float32)

    **Elementwise** (the default): the function takes and returns scalars. Calls follow numpy: arguments
    broadcast, the dtype comes from the inputs (Python scalars are "weak", so ``2.0`` with float32 arrays
    stays float32) or from ``signature="float32(float32, float32, float32)"``, ``out=`` writes in place, and
    device arrays (anything with ``__cuda_array_interface__``: numba, CuPy, PyTorch CUDA tensors) are read in
    place with the result returned on the device, without a round trip to the host.

    **Grid** (``kind="grid"``): the function is a CUDA-style kernel that writes into its array arguments,
    using :func:`parallelize.gpu.index` / :func:`parallelize.gpu.stride` (or ``numba.cuda.grid(1)``). The
    launch has one thread per element of the largest array argument within the device's limits;
    ``kernel[blocks, threads](...)`` sets it by hand.

    **CUDA C**: :meth:`from_source` wraps a ``__global__`` function with pycuda (the ``cuda`` extra).

    **Devices** (``device=``): ``"auto"`` uses CUDA when a device is usable, else the CPU path (numba
    ``njit(parallel=True)`` loops) and says so once with a
    ``ParallelizeWarning``; ``"cuda"`` raises ``GPUUnavailableError`` naming what is missing; ``"cpu"`` always
    runs numba on the CPU; ``"simulator"`` runs numba's CUDA simulator, in this process when it started with
    ``NUMBA_ENABLE_CUDASIM=1``, else in one helper process (arguments and results are copied; device arrays
    cannot cross).

    **Caching**: one compiled kernel per argument signature and path, kept for the process, and on disk
    (numba's ``cache=True``; the code generated around the function goes under ``kernels/`` in
    ``PARALLELIZE_CACHE_DIR``, default ``~/.cache/parallelize``), so process workers and later runs load machine
    code instead of compiling. Functions without a source file, or reading objects that cannot be hashed, are
    compiled in memory only. Compile, cache-load and run times are listed by ``parallelize info --gpu``.

    **Errors**: a non-numeric dtype raises ``TypeError``; shapes that do not broadcast raise ``ValueError``
    naming each shape; a construct numba cannot compile raises ``KernelCompileError`` (a ``ValueError``)
    naming the file, line and construct; an out-of-bounds index in a grid kernel raises ``IndexError`` on the
    CPU path and in the simulator (a real device does not check bounds: guard with ``if i < out.size``).

    Args:
        func: the function (when used without parentheses).
        kind: ``"elementwise"`` or ``"grid"``.
        device: ``"auto"``, ``"cuda"``, ``"cpu"`` or ``"simulator"``.
        signature: numba signature for elementwise kernels; inputs are cast to it (``same_kind``).
        cache: keep compiled code (CPU and CUDA) in numba's on-disk cache where it can be keyed soundly.

    Returns:
        A :class:`GPUKernel` keeping the function's name, docstring and ``__wrapped__``.
    """

    @overload
    def __call__(self, func: Callable[..., Any], /) -> GPUKernel: ...

    @overload
    def __call__(
        self,
        func: None = None,
        /,
        *,
        kind: Literal["elementwise", "grid"] = "elementwise",
        device: Literal["auto", "cuda", "cpu", "simulator"] = "auto",
        signature: Any = None,
        cache: bool = True,
    ) -> Callable[[Callable[..., Any]], GPUKernel]: ...

    def __call__(
        self,
        func: Callable[..., Any] | None = None,
        /,
        *,
        kind: Literal["elementwise", "grid"] = "elementwise",
        device: Literal["auto", "cuda", "cpu", "simulator"] = "auto",
        signature: Any = None,
        cache: bool = True,
    ) -> GPUKernel | Callable[[Callable[..., Any]], GPUKernel]:
        options = KernelOptions(kind, device, signature, cache)
        if func is None:
            return lambda f: GPUKernel(f, options)
        return GPUKernel(func, options)

    @staticmethod
    def from_source(
        source: str, name: str, *, device: Literal["auto", "cuda"] = "auto", options: list[str] | None = None
    ) -> SourceKernel:
        """Wrap the ``__global__`` function ``name`` in CUDA C ``source`` (compiled by pycuda on first call).

        Called like a grid kernel: ``kernel(out, x, n)`` launches one thread per element of the largest array
        (numpy arrays are copied in and back), ``kernel[blocks, threads](...)`` sets the launch. Python
        numbers are converted to the C parameter's type. CUDA C cannot run on the CPU, so without a device (or
        without pycuda) a call raises ``GPUUnavailableError`` with the reason; ``kernel.compile_ptx(cc=(9, 0))`` checks
        the source with ``nvcc`` on machines without a GPU.

        Args:
            source: CUDA C source (wrapped in ``extern "C"`` as pycuda does, so ``name`` is not mangled).
            name: the ``__global__`` function to call.
            device: ``"auto"`` or ``"cuda"`` (both need a device).
            options: extra ``nvcc`` options.

        Raises:
            ValueError: ``source`` has no ``__global__`` function called ``name``.
        """
        return SourceKernel(source, name, device=device, options=options)


gpu_kernel = GpuKernelDecorator()
gpu_kernel.__doc__ = GpuKernelDecorator.__doc__
