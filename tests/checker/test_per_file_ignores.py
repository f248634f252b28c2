"""``per-file-ignores``: pattern matching (ruff's rules), the pyproject tables, the CLI flag and its errors."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from parallelize._checker.per_file_ignores import PerFileIgnore


@pytest.mark.parametrize(
    ("pattern", "relative", "expected"),
    [
        ("unsafe.py", "unsafe.py", True),
        ("unsafe.py", "pkg/deep/unsafe.py", True),  # no "/": the file name, at any depth
        ("unsafe.py", "pkg/not_unsafe.py", False),
        ("test_*.py", "tests/sub/test_jobs.py", True),
        ("tests/*.py", "tests/test_jobs.py", True),
        ("tests/*.py", "src/tests/test_jobs.py", False),  # with "/": the path from the project root
        ("tests/*", "tests/sub/test_jobs.py", True),  # `*` crosses "/" as in ruff (globset's default)
        ("**/legacy/*.py", "legacy/job.py", True),  # `**/` is zero or more folders
        ("**/legacy/*.py", "a/b/legacy/job.py", True),
        ("src/**", "src/pkg/job.py", True),
        ("{scripts,tools}/*.py", "tools/job.py", True),
        ("{scripts,tools}/*.py", "lib/job.py", False),
        ("pkg/[ab].py", "pkg/a.py", True),
        ("pkg/[ab].py", "pkg/c.py", False),
        ("pkg/[!ab].py", "pkg/c.py", True),
        ("pkg/job?.py", "pkg/job1.py", True),
        ("./pkg/job.py", "pkg/job.py", True),
        ("!src/**", "src/job.py", False),  # a leading "!" negates
        ("!src/**", "lib/job.py", True),
    ],
)
def test_patterns_match_like_ruff(tmp_path: Path, pattern: str, relative: str, expected: bool) -> None:
    assert PerFileIgnore(pattern, ("PAR1",)).matches(tmp_path / relative, tmp_path) is expected


def test_path_patterns_do_not_match_files_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "project"
    outside = tmp_path / "other" / "pkg" / "job.py"
    assert not PerFileIgnore("pkg/job.py", ("PAR1",)).matches(outside, root)
    assert PerFileIgnore("job.py", ("PAR1",)).matches(outside, root)
    assert PerFileIgnore(f"{tmp_path.as_posix()}/other/**", ("PAR1",)).matches(outside, root)


def _two_files(project: Path) -> None:
    (project / "tests").mkdir()
    (project / "tests" / "test_jobs.py").write_text((project / "unsafe.py").read_text())


def test_pyproject_per_file_ignores_silence_matching_files_only(project: Path, check) -> None:
    _two_files(project)
    (project / "pyproject.toml").write_text('[tool.parallelize.per-file-ignores]\n"tests/*" = ["PAR1"]\n')
    code, out, _ = check(".")
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == ["unsafe.py"]
    (project / "pyproject.toml").write_text(
        '[tool.parallelize.per-file-ignores]\n"tests/*" = ["PAR101"]\n'
        '[tool.parallelize.extend-per-file-ignores]\n"unsafe.py" = ["ALL"]\n')
    assert check(".")[:2] == (0, "All checks passed (3 files checked).\n")


def test_per_file_ignores_win_over_select_and_apply_to_audit_verdicts(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.parallelize.per-file-ignores]\n"unsafe.py" = ["par10"]\n')
    assert check("--select", "PAR101", "unsafe.py")[0] == 0
    code, out, _ = check("--audit", "unsafe.py")
    assert code == 0
    assert "unsafe.py:7:5: loop unsafe (ignored: PAR101)" in out  # ignored findings do not make the loop safe


def test_cli_flag_adds_to_the_configuration(project: Path, check) -> None:
    _two_files(project)
    (project / "pyproject.toml").write_text('[tool.parallelize.per-file-ignores]\n"tests/*" = ["PAR1"]\n')
    assert check(".")[0] == 1
    assert check("--per-file-ignores", "unsafe.py:PAR2,PAR101", ".")[0] == 0
    assert check("--per-file-ignores", "unsafe.py:PAR2", ".")[0] == 1
    assert check("--isolated", "--per-file-ignores", "unsafe.py:PAR1", ".")[0] == 1  # tests/ is reported again


def test_per_file_ignores_apply_to_the_stdin_filename(project: Path, check, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((project / "unsafe.py").read_bytes())))
    assert check("--per-file-ignores", "tests/*:PAR1", "--stdin-filename", "tests/piped.py", "-")[0] == 0


@pytest.mark.parametrize(
    ("toml", "flag", "expected"),
    [
        ('[tool.parallelize.per-file-ignores]\n"tests/*" = ["PAR1X"]\n', None, "'PAR1X'"),
        ('[tool.parallelize.per-file-ignores]\n"tests/*" = "PAR1"\n', None, "must be a list of rule codes"),
        ('[tool.parallelize]\nper-file-ignores = ["PAR1"]\n', None, "must be a table"),
        ('[tool.parallelize.per-file-ignores]\n"{tests/*" = ["PAR1"]\n', None, "unclosed"),
        (None, "tests/*:PAR1X", "'PAR1X'"),
        (None, "tests/*", "expected PATTERN:CODES"),
        (None, "tests/*:", "expected PATTERN:CODES"),
    ],
)
def test_bad_per_file_ignores_exit_2_naming_the_problem(project: Path, check, toml: str | None, flag: str | None,
                                                        expected: str) -> None:
    if toml:
        (project / "pyproject.toml").write_text(toml)
    code, _, err = check(*(["--per-file-ignores", flag] if flag else []), ".")
    assert code == 2
    assert expected in err
    assert err.startswith("parallelize check: error: ") and err.count("\n") == 1


def test_unknown_code_message_names_the_code_and_the_valid_forms(project: Path, check) -> None:
    code, _, err = check("--per-file-ignores", "tests/*:PAR1,XYZ9", ".")
    assert code == 2
    assert "--per-file-ignores 'tests/*': unknown rule code or prefix 'XYZ9'" in err
    assert "PAR000 to PAR902" in err
    assert "PAR1" in err and "ALL" in err and "--explain ALL" in err
