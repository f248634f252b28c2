"""Real CUDA device tests (``pytest -m gpu``); they skip on machines without a usable device."""

from __future__ import annotations

import kernels
import numpy as np
import pytest

from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._gpu import detect

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not detect.cuda_status().available, reason="no usable CUDA device"),
]


def test_cuda_saxpy_matches_numpy_and_the_cpu_path():
    rng = np.random.default_rng(0)
    x = rng.random(1_000_003, dtype=np.float32)
    y = rng.random((1, 1_000_003), dtype=np.float32)
    cuda_result = gpu_kernel(device="cuda")(kernels.saxpy)(2.0, x, y)
    cpu_result = gpu_kernel(device="cpu")(kernels.saxpy)(2.0, x, y)
    np.testing.assert_allclose(cuda_result, np.float32(2) * x + y, rtol=1e-6)
    np.testing.assert_allclose(cuda_result, cpu_result, rtol=1e-6)


def test_device_arrays_stay_on_the_device():
    from numba import cuda

    x = cuda.to_device(np.arange(10, dtype=np.float32))
    result = gpu_kernel(device="cuda")(kernels.saxpy)(2.0, x, 1.0)
    assert cuda.is_cuda_array(result)
    np.testing.assert_array_equal(result.copy_to_host(), 2 * np.arange(10, dtype=np.float32) + 1)


def test_cuda_grid_kernel_with_auto_launch():
    x = np.arange(100_000.0)
    out = np.zeros_like(x)
    gpu_kernel(kind="grid", device="cuda")(kernels.guarded_grid)(out, x)
    np.testing.assert_array_equal(out, x + 1)
