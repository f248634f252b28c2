"""numba's CUDA simulator: the helper-process mechanism here, the in-process one in a subprocess (``insim/``).

Sizes stay small: the simulator runs about 100 us per element.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import kernels
import numpy as np
import pytest

from parallelize import KernelCompileError
from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._gpu import simworker

sim_saxpy = gpu_kernel(device="simulator")(kernels.saxpy)
cpu_saxpy = gpu_kernel(device="cpu")(kernels.saxpy)


def test_simulator_and_cpu_paths_agree_with_numpy_including_broadcasting():
    rng = np.random.default_rng(0)
    x = rng.random((8, 1), dtype=np.float32)
    y = rng.random(16, dtype=np.float32)
    expected = np.float32(1.5) * x + y
    for kernel in (sim_saxpy, cpu_saxpy):
        result = kernel(1.5, x, y)
        assert result.dtype == np.float32
        np.testing.assert_allclose(result, expected, rtol=1e-6)


def test_mandelbrot_counts_are_equal_on_every_path():
    re = np.linspace(-2.0, 0.5, 12)
    im = np.linspace(-1.2, 1.2, 10)[:, None]
    sim = gpu_kernel(device="simulator")(kernels.mandel)(re, im)
    cpu = gpu_kernel(device="cpu")(kernels.mandel)(re, im)
    serial = np.vectorize(kernels.mandel)(re, im)
    np.testing.assert_array_equal(sim, serial)
    np.testing.assert_array_equal(cpu, serial)


def test_out_is_written_back_from_the_helper():
    out = np.zeros(5)
    assert sim_saxpy(2.0, np.arange(5.0), 1.0, out=out) is out
    np.testing.assert_array_equal(out, 2 * np.arange(5.0) + 1)


def test_grid_kernel_updates_arrays_in_place_with_auto_and_explicit_launch():
    kernel = gpu_kernel(kind="grid", device="simulator")(kernels.scale_grid)
    x = np.arange(100.0)
    out = np.zeros_like(x)
    kernel(out, x, 2.0)
    np.testing.assert_array_equal(out, 2 * x)
    kernel[2, 16](out, x, 3.0)
    np.testing.assert_array_equal(out, 3 * x)
    guarded = gpu_kernel(kind="grid", device="simulator")(kernels.guarded_grid)
    guarded(out, x)
    np.testing.assert_array_equal(out, x + 1)


def test_out_of_bounds_write_in_the_simulator_raises_index_error_naming_the_kernel():
    kernel = gpu_kernel(kind="grid", device="simulator")(kernels.out_of_bounds_grid)
    with pytest.raises(IndexError, match=r"out_of_bounds_grid.*out of bounds"):
        kernel(np.zeros(10))


def test_local_kernels_reach_the_helper_by_value():
    def cube(x):
        return x * x * x

    np.testing.assert_array_equal(gpu_kernel(device="simulator")(cube)(np.arange(4.0)), np.arange(4.0) ** 3)


def test_helper_restarts_after_shutdown():
    simworker.shutdown()
    np.testing.assert_array_equal(sim_saxpy(1.0, np.ones(2), 1.0), [2.0, 2.0])


def test_in_process_simulator_suite():
    """Run ``insim/`` under NUMBA_ENABLE_CUDASIM=1 in a fresh interpreter (device arrays need the same process)."""
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    here = Path(__file__).parent
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(here / "insim"), "-q", "-p", "no:cacheprovider", "--rootdir", str(here)],
        capture_output=True,
        text=True,
        env=env,
        cwd=here,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "passed" in done.stdout


def test_a_compile_error_in_the_helper_arrives_as_kernel_compile_error_naming_the_line():
    def opens_a_file(x):
        handle = open("/nonexistent")
        return x + handle

    kernel = gpu_kernel(device="simulator")(opens_a_file)
    with pytest.raises(KernelCompileError, match="open") as info:
        kernel(np.arange(3.0))
    assert info.value.kernel.endswith("opens_a_file")
    assert info.value.lineno == opens_a_file.__code__.co_firstlineno + 1
