"""Real CUDA device tests (``pytest -m gpu``); they skip on machines without a usable device."""

from __future__ import annotations

import kernels
import numpy as np
import pytest
from subprocess_env import child_env

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


CUDA_MODULE = '''
from parallelize import gpu, gpu_kernel


@gpu_kernel(device="cuda")
def saxpy(a, x, y):
    return a * x + y


@gpu_kernel(kind="grid", device="cuda")
def plus_one(out, x):
    i = gpu.index()
    if i < out.size:
        out[i] = x[i] + 1.0
'''

CUDA_RUNNER = """
import json

import numpy as np

import cudakernels as k
from parallelize._gpu import diagnostics

x = np.arange(1000, dtype=np.float32)
out = np.zeros_like(x)
k.plus_one(out, x)
ok = bool(np.allclose(k.saxpy(np.float32(2.0), x, x), 3 * x)) and bool(np.allclose(out, x + 1))
print(json.dumps({"ok": ok, "stats": {r.name: [r.compiles, r.loads] for r in diagnostics.stats()}}))
"""


def test_cuda_kernels_load_from_the_disk_cache_in_a_new_process(tmp_path):
    import json
    import subprocess
    import sys

    (tmp_path / "cudakernels.py").write_text(CUDA_MODULE)
    env = child_env(tmp_path / "cache", PYTHONPATH=str(tmp_path))
    reports = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", CUDA_RUNNER], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert all(report["ok"] for report in reports)
    assert all(compiles >= 1 and loads == 0 for compiles, loads in reports[0]["stats"].values()), reports
    assert all(compiles == 0 and loads >= 1 for compiles, loads in reports[1]["stats"].values()), reports


def test_the_compile_check_reports_the_registers_of_the_kernel_a_launch_loads():
    # Issue 14: compile_ptx compiles the launch's own kernel. The device's loader assembles the same PTX; a
    # mismatch here means either the check compiles other code, or the driver's assembler differs from ptxas.
    from numba import cuda

    kernel = gpu_kernel(device="cuda")(kernels.saxpy)
    x = np.arange(1000, dtype=np.float32)
    kernel(np.float32(2.0), x, x)
    launched = kernel._paths["cuda"]._kernels[(("s", "f", "f"), 1)]
    cc = cuda.get_current_device().compute_capability
    check = kernel.compile_ptx("float32(float32, float32, float32)", cc=cc, scalars=("a",))
    assert check.assembled, check.note
    assert list(launched.get_regs_per_thread().values()) == [check.registers], (check.summary(), cc)
