"""``benchmarks/device_suite.py`` refuses clearly on a machine without a CUDA device (it cannot run here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from subprocess_env import child_env

from parallelize._gpu import detect

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "device_suite.py"


@pytest.mark.skipif(detect.cuda_status().available, reason="a CUDA device is present: the suite would run")
def test_device_suite_stops_with_the_reason_when_there_is_no_device():
    done = subprocess.run([sys.executable, str(SUITE)], capture_output=True, text=True, timeout=120, check=False,
                          env=child_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no usable CUDA device" in done.stderr and done.stdout == ""
