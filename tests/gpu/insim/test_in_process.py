"""Run only in a process started with NUMBA_ENABLE_CUDASIM=1 (see ../test_simulator.py)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import cuda

from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._errors import GPUUnavailableError
from parallelize._gpu import detect


def saxpy(a, x, y):
    return a * x + y


def test_this_process_simulates():
    assert detect.simulator_in_process()
    assert not detect.cuda_status().available  # the simulator is never mistaken for a device


def test_device_arrays_in_give_a_device_array_out_without_a_host_round_trip():
    kernel = gpu_kernel(device="simulator")(saxpy)
    x = cuda.to_device(np.arange(4, dtype=np.float32))
    y = cuda.to_device(np.ones(4, dtype=np.float32))
    result = kernel(2.0, x, y)
    assert not isinstance(result, np.ndarray)
    assert hasattr(result, "copy_to_host")
    np.testing.assert_array_equal(result.copy_to_host(), [1, 3, 5, 7])


def test_device_out_is_written_in_place():
    kernel = gpu_kernel(device="simulator")(saxpy)
    out = cuda.device_array(3, dtype=np.float64)
    assert kernel(1.0, np.arange(3.0), 1.0, out=out) is out
    np.testing.assert_array_equal(out.copy_to_host(), [1, 2, 3])


def test_device_arrays_are_refused_by_the_cpu_path():
    kernel = gpu_kernel(device="cpu")(saxpy)
    with pytest.raises(TypeError, match="device array"):
        kernel(1.0, cuda.to_device(np.ones(2)), 1.0)


def test_cuda_is_refused_in_a_simulating_process():
    with pytest.raises(GPUUnavailableError, match="simulator"):
        gpu_kernel(device="cuda")(saxpy)(1.0, np.ones(2), 1.0)
