"""Smoke tests: every script in examples/ runs to completion and says its parallel result equals the serial one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from subprocess_env import child_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = ["cross_validation.py", "grid_search.py", "random_forest.py", "monte_carlo.py", "web_scraping.py"]


def test_every_top_level_example_is_covered() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_and_matches_serial(script: str) -> None:
    env = child_env()
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=EXAMPLES.parent,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "same results as serial: True" in result.stdout.splitlines(), result.stdout
