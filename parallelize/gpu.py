"""Thread indexing for ``@gpu_kernel(kind="grid")`` kernels.

A grid kernel runs once per thread; each thread asks where it is and writes its own elements::

    import numpy as np
    from parallelize import gpu, gpu_kernel

    @gpu_kernel(kind="grid")
    def scale(out, x, factor):
        for i in range(gpu.index(), out.size, gpu.stride()):   # grid-stride loop: right for any launch size
            out[i] = x[i] * factor

    x = np.arange(5.0)
    out = np.empty_like(x)
    scale(out, x, 2.0)          # one thread per element of the largest array argument
    scale[4, 128](out, x, 2.0)  # or blocks x threads chosen by hand

On CUDA (and numba's simulator) ``gpu.index()`` is ``numba.cuda.grid(1)`` and ``gpu.stride()`` is
``numba.cuda.gridsize(1)``; on the CPU path each "thread" is an iteration of a parallel ``prange`` loop.
Kernels written with ``numba.cuda.grid(1)`` / ``gridsize(1)`` directly work on every path too.

Importing this module does not import numba.
"""

from __future__ import annotations

__all__ = ["index", "stride"]


def _outside_kernel(name: str) -> RuntimeError:
    return RuntimeError(
        f"parallelize.gpu.{name}() only has a meaning inside a @gpu_kernel(kind='grid') kernel; "
        "it was called from plain Python"
    )


def index() -> int:
    """Return this thread's position in the launch: ``blockIdx.x * blockDim.x + threadIdx.x``.

    Raises:
        RuntimeError: called outside a grid kernel (the kernel's calls are compiled away).
    """
    raise _outside_kernel("index")


def stride() -> int:
    """Return the number of threads in the launch (``gridDim.x * blockDim.x``), the step of a grid-stride
    loop.

    Raises:
        RuntimeError: called outside a grid kernel (the kernel's calls are compiled away).
    """
    raise _outside_kernel("stride")
