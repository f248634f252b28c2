"""``parallelize info`` and ``parallelize demo --quick`` run end to end in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARALLELIZE_")}
    return subprocess.run([sys.executable, "-m", "parallelize", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def test_info_lists_cores_backends_and_blas() -> None:
    result = _run("info")
    assert result.returncode == 0, result.stderr
    for section in ("cores:", "backends:", "BLAS", "GPU:", "cluster:"):
        assert section in result.stdout
    assert "loky: available" in result.stdout
    assert "serial: available" in result.stdout


def test_info_gpu_flag_is_accepted() -> None:
    result = _run("info", "--gpu")
    assert result.returncode == 0, result.stderr
    assert "GPU:" in result.stdout


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
