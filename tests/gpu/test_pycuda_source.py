"""gpu_kernel.from_source: parameter parsing, nvcc compile checks, and pycuda failures -> GPUUnavailableError."""

from __future__ import annotations

import shutil
import sys
import types

import numpy as np
import pytest

from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._errors import GPUUnavailableError
from parallelize._gpu.diagnostics import KernelCompileError

needs_nvcc = pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (CUDA toolkit) not on PATH")

SAXPY = """
__global__ void saxpy(float *out, const float * __restrict__ x, const float *y, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a * x[i] + y[i];
}
"""

BROKEN = """__global__ void broken(float *out)
{
    int i = threadIdx.x;
    out[i] = not_declared;
}
"""


def test_parameters_are_parsed_with_numpy_dtypes():
    kernel = gpu_kernel.from_source(SAXPY, "saxpy")
    assert [(p.name, str(p.dtype), p.pointer) for p in kernel.params] == [
        ("out", "float32", True),
        ("x", "float32", True),
        ("y", "float32", True),
        ("a", "float32", False),
        ("n", "int32", False),
    ]


def test_missing_kernel_name_lists_the_ones_defined():
    with pytest.raises(ValueError, match=r"no __global__ function 'axpy'.*\['saxpy'\]"):
        gpu_kernel.from_source(SAXPY, "axpy")


def test_cuda_c_cannot_run_on_the_cpu():
    with pytest.raises(ValueError, match="only on a CUDA device"):
        gpu_kernel.from_source(SAXPY, "saxpy", device="cpu")  # type: ignore[arg-type]


@needs_nvcc
def test_nvcc_compiles_the_source_to_ptx():
    assert ".entry saxpy" in gpu_kernel.from_source(SAXPY, "saxpy").compile_ptx().ptx


@needs_nvcc
def test_compiler_errors_name_the_cuda_c_line():
    with pytest.raises(KernelCompileError, match=r"line 4: .*not_declared") as info:
        gpu_kernel.from_source(BROKEN, "broken").compile_ptx()
    assert info.value.lineno == 4
    assert "out[i] = not_declared;" in str(info.value)


def _fake_pycuda(monkeypatch, driver):
    package = types.ModuleType("pycuda")
    package.driver = driver
    monkeypatch.setitem(sys.modules, "pycuda", package)
    monkeypatch.setitem(sys.modules, "pycuda.driver", driver)


def test_missing_driver_library_becomes_gpu_unavailable(monkeypatch):
    class Finder:
        def find_spec(self, name, path=None, target=None):
            if name == "pycuda.driver":
                raise ImportError("libcuda.so.1: cannot open shared object file: No such file or directory")
            return

    package = types.ModuleType("pycuda")
    package.__path__ = []
    monkeypatch.setitem(sys.modules, "pycuda", package)
    monkeypatch.delitem(sys.modules, "pycuda.driver", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    kernel = gpu_kernel.from_source(SAXPY, "saxpy")
    with pytest.raises(GPUUnavailableError, match=r"libcuda\.so\.1"):
        kernel(np.zeros(2, np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32), 1.0, 2)


def test_cuinit_failure_becomes_gpu_unavailable(monkeypatch):
    driver = types.ModuleType("pycuda.driver")

    class Error(Exception):  # pycuda.driver.Error is not a builtin RuntimeError
        pass

    def init():
        raise Error("cuInit failed: no CUDA-capable device is detected")

    driver.Error = Error
    driver.init = init
    _fake_pycuda(monkeypatch, driver)
    with pytest.raises(GPUUnavailableError, match="cuInit failed"):
        gpu_kernel.from_source(SAXPY, "saxpy")[1, 32](None, None, None, 1.0, 2)


def test_no_device_becomes_gpu_unavailable(monkeypatch):
    driver = types.ModuleType("pycuda.driver")
    driver.init = lambda: None
    driver.Device = types.SimpleNamespace(count=lambda: 0)
    _fake_pycuda(monkeypatch, driver)
    with pytest.raises(GPUUnavailableError, match="no CUDA device"):
        gpu_kernel.from_source(SAXPY, "saxpy")(np.zeros(1, np.float32))
