"""``parallelize info --gpu`` lines and the ``parallelize demo`` GPU step."""

from __future__ import annotations

import kernels
import numpy as np

from parallelize._gpu import demo_step, info_lines


def test_info_lists_device_packages_and_kernel_timings():
    kernels.cpu_cube(np.arange(3.0))
    kernels.cpu_cube(np.arange(3.0))
    lines = info_lines()
    assert lines[0].startswith("CUDA device:")
    assert any(line.startswith("numba:") and "numba-cuda:" in line for line in lines)
    assert any("simulator" in line for line in lines)
    cube = [line for line in lines if line.startswith("kernel cpu_cube [cpu]")]
    assert cube and ("compile(s)" in cube[0] or "load(s) from disk cache" in cube[0]) and "run(s)" in cube[0]


def test_demo_step_reports_a_timing_against_numpy_and_matching_results():
    line = demo_step(size=10_000)
    assert "vs numpy" in line and "results match" in line
