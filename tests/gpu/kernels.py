"""Kernels shared by the GPU tests (a module so the simulator helper and process workers can import them)."""

from __future__ import annotations

import math

import numpy as np

from parallelize import gpu
from parallelize._decorators.gpu_kernel import gpu_kernel


def saxpy(a, x, y):
    """Return a * x + y."""
    return a * x + y


def mandel(cr, ci):
    zr = 0.0
    zi = 0.0
    for n in range(50):
        if zr * zr + zi * zi > 4.0:
            return n
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
    return 50


def smooth(x, y):
    return math.sin(x) * math.exp(-y * y) + x / (1.0 + y * y)


def scale_grid(out, x, factor):
    for i in range(gpu.index(), out.size, gpu.stride()):
        out[i] = x[i] * factor


def guarded_grid(out, x):
    i = gpu.index()
    if i < out.size:
        out[i] = x[i] + 1.0


def out_of_bounds_grid(out):
    i = gpu.index()
    out[i + 1000] = 1.0


@gpu_kernel(device="cpu")
def cpu_cube(x):
    return x * x * x


def sum_of_cubes(n):
    """A task that uses a GPU kernel (CPU path) inside a process worker."""
    return float(cpu_cube(np.arange(float(n))).sum())
