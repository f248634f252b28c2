"""Fixtures for the checker tests: a project folder with a pyproject.toml, and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from samples import SAFE, UNSAFE

from parallelize._checker.cli import run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a folder with one unsafe and one safe file, as the working directory."""
    (tmp_path / "unsafe.py").write_text(UNSAFE)
    (tmp_path / "safe.py").write_text(SAFE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``parallelize check`` in-process; return (exit code, stdout, stderr)."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = run(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
