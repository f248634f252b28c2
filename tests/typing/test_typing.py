"""The public API's types, as mypy and pyright see them (issue 15).

``public_api_types.py`` holds ``assert_type`` checks of what users' code gets back; ``misuse_types.py`` holds
misuses, each carrying the error both checkers must report. Both checkers run on both files with the settings in
pyproject.toml (mypy) and tests/typing/pyrightconfig.json (pyright), on the package in this checkout.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CHECKED = [HERE / "public_api_types.py", HERE / "misuse_types.py"]


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def test_mypy_infers_the_public_types_and_reports_every_misuse() -> None:
    # From the repository root, so that mypy reads pyproject.toml and imports this checkout's parallelize.
    done = _run([sys.executable, "-m", "mypy", *(str(p.relative_to(ROOT)) for p in CHECKED)], timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pyright_infers_the_public_types_and_reports_every_misuse() -> None:
    # pyright is a Node program; its pip wrapper needs node (or a download of it) to start. Only that is skipped.
    try:
        started = _run([sys.executable, "-m", "pyright", "--version"], timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip("pyright did not start within 300 s (its pip wrapper may be downloading node or pyright)")
    if started.returncode != 0:
        why = (started.stderr.strip() or started.stdout.strip()).splitlines()
        pytest.skip(f"pyright cannot start here (it needs node on PATH, or pip install 'pyright[nodejs]'): "
                    f"{why[-1] if why else f'exit status {started.returncode}'}")
    done = _run([sys.executable, "-m", "pyright", "--pythonpath", sys.executable,
                 "-p", str(HERE / "pyrightconfig.json")], timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout, done.stdout


def test_the_checkers_are_set_to_fail_on_a_misuse_they_no_longer_report() -> None:
    # Without these settings an unused ignore comment passes, and a misuse that stopped being reported goes unseen.
    assert (HERE / "misuse_types.py").read_text().startswith("# mypy: warn-unused-ignores\n")
    settings = json.loads((HERE / "pyrightconfig.json").read_text())
    assert settings["reportUnnecessaryTypeIgnoreComment"] == "error"
    assert settings["enableTypeIgnoreComments"] is False  # else pyright obeys the comments meant for mypy
    assert sorted(settings["include"]) == sorted(p.name for p in CHECKED)


def test_every_misuse_line_names_the_error_of_each_checker() -> None:
    source = (HERE / "misuse_types.py").read_text()
    lines = source.splitlines()
    checks = [node for node in ast.parse(source).body
              if isinstance(node, ast.FunctionDef) and node.name.startswith("check_")]
    assert checks
    for check in checks:
        for statement in check.body:
            line = lines[statement.lineno - 1]
            assert "# type: ignore[" in line and "# pyright: ignore[" in line, f"line {statement.lineno}: {line}"
