"""The probe kernels of ``parallelize info --gpu --compile-for sm_80,sm_90``: one of each kind the decorator
generates, compiled for each named architecture with no GPU, with what ``ptxas`` reports.

The kernels are the GPU docs' and the examples' shapes: saxpy (the flat elementwise loop with a scalar), the
Mandelbrot escape time (a loop with an early return, broadcast over a 2-D image), a kernel that can raise (compiled
with the exception check, ``debug=True, opt=False``), a grid kernel, and CUDA C through ``nvcc`` where it is on
PATH.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from parallelize import gpu

__all__ = ["compile_lines"]


def probe_saxpy(a: float, x: float, y: float) -> float:
    return a * x + y


def probe_escape_time(cr: float, ci: float) -> int:
    zr = 0.0
    zi = 0.0
    for n in range(100):
        if zr * zr + zi * zi > 4.0:
            return n
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
    return 100


def probe_checked_sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError("negative input")
    return math.sqrt(x)


def probe_scale(out: Any, x: Any, factor: float) -> None:
    for i in range(gpu.index(), out.size, gpu.stride()):
        out[i] = x[i] * factor


PROBE_CUDA_C = """
__global__ void probe_axpy(float *out, const float *x, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a * x[i] + out[i];
}
"""


@dataclass(frozen=True)
class _Probe:
    func: Callable[..., object]
    kind: str
    signature: str
    scalars: tuple[str, ...] = ()
    ndim: int = 1


PROBES = (
    _Probe(probe_saxpy, "elementwise", "float32(float32, float32, float32)", ("a",)),
    _Probe(probe_escape_time, "elementwise", "(float64, float64)", ndim=2),
    _Probe(probe_checked_sqrt, "elementwise", "(float64,)"),
    _Probe(probe_scale, "grid", "void(float32, float32, float32)", ("factor",)),
)


def compile_lines(archs: Sequence[str]) -> list[str]:
    """Compile every probe for every architecture; one line each (or the reason it could not run)."""
    import shutil

    from parallelize._gpu.kernel import GPUKernel, KernelOptions
    from parallelize._gpu.pycuda_source import SourceKernel

    lines = [f"compile check for {', '.join(archs)} (no GPU needed; PTX from numba-cuda or nvcc, then ptxas):"]
    for probe in PROBES:
        kernel = GPUKernel(probe.func, KernelOptions(kind=probe.kind))  # type: ignore[arg-type]
        for arch in archs:
            result = kernel.compile_ptx(probe.signature, cc=arch, scalars=probe.scalars, ndim=probe.ndim)
            lines.append(f"  {probe.kind} {result.summary()}")
    if shutil.which("nvcc") is None:
        lines.append("  CUDA C: nvcc not on PATH, not checked")
    else:
        source = SourceKernel(PROBE_CUDA_C, "probe_axpy")
        lines.extend(f"  CUDA C {source.compile_ptx(arch).summary()}" for arch in archs)
    return lines
