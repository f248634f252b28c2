"""The flake8 plugin reports the same findings, with 0-based columns."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from samples import UNSAFE

from parallelize._checker.flake8_plugin import Plugin


def test_plugin_yields_flake8_tuples() -> None:
    lines = UNSAFE.splitlines(keepends=True)
    (item,) = list(Plugin(ast.parse(UNSAFE), "unsafe.py", lines).run())
    assert item[:2] == (8, 8)
    assert item[2].startswith("PAR101 `out[item]['x']`")
    assert item[3] is Plugin


def test_flake8_runs_the_plugin(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flake8", "--select", "PAR", "unsafe.py"], capture_output=True,
                          text=True, check=False)
    assert "unsafe.py:8:9: PAR101" in done.stdout, done.stdout + done.stderr
