"""``parallelize info`` and ``parallelize demo --quick`` run end to end in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from subprocess_env import child_env


def _run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = child_env()
    return subprocess.run(
        [sys.executable, "-m", "parallelize", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_info_lists_cores_backends_and_blas() -> None:
    result = _run("info")
    assert result.returncode == 0, result.stderr
    for section in ("cores:", "backends:", "BLAS", "GPU:", "cluster:"):
        assert section in result.stdout
    assert "loky: available" in result.stdout
    assert "serial: available" in result.stdout


def test_info_gpu_times_a_probe_kernel_and_names_the_cache() -> None:
    result = _run("info", "--gpu")
    assert result.returncode == 0, result.stderr
    assert "GPU:" in result.stdout
    assert f"kernel cache: {os.path.join(os.environ['PARALLELIZE_CACHE_DIR'], 'kernels')}" in result.stdout
    probe = [line for line in result.stdout.splitlines() if "probe (" in line]
    assert probe and "_probe_saxpy [cpu]" in probe[0] and "5 run(s)" in probe[0], result.stdout
    assert "compile(s)" in probe[0] or "load(s) from disk cache" in probe[0]


@pytest.mark.parametrize("extras", [False, True], ids=["seed-workload", "with-optional-steps"])
def test_quick_demo_results_equal(extras: bool) -> None:
    result = _run("demo", "--quick", *([] if extras else ["--no-extras"]))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(("grid search", "Monte Carlo", "total"))]
    assert len(rows) == 3, result.stdout
    assert all(row.endswith("equal") and "DIFFERENT" not in row for row in rows)
    if extras:
        assert "== checker: examples/legacy ==" in result.stdout
        assert "== GPU ==" in result.stdout
        # The plotting loop is refused with its code and line, and the restructured loop draws the serial figure.
        assert "validation_curves.py:36:9: PAR601" in result.stdout, result.stdout
        assert "figure data equal" in result.stdout and "NOT REFUSED" not in result.stdout
