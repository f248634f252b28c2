"""CLI wiring: exit codes, selection, statistics, explain, stdin and audit."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from parallelize._analysis import all_rules


def test_exit_code_is_1_with_findings_and_0_when_clean(project: Path, check) -> None:
    code, out, _ = check("unsafe.py")
    assert code == 1
    assert out.startswith("unsafe.py:8:9: PAR101 ")
    assert out.rstrip().endswith("Found 1 finding in 1 file (1 file checked).")
    code, out, _ = check("safe.py")
    assert code == 0
    assert "All checks passed (1 file checked)." in out


def test_exit_zero_keeps_findings_but_exits_0(project: Path, check) -> None:
    code, out, _ = check("--exit-zero", ".")
    assert code == 0
    assert "PAR101" in out


def test_usage_errors_exit_2(project: Path, check) -> None:
    assert check("--format", "xml", ".")[0] == 2
    assert check("--select", "XYZ9", ".")[0] == 2
    assert check("missing_file.py")[0] == 2
    assert check("--explain", "PAR999")[0] == 2


def test_select_ignore_and_prefixes(project: Path, check) -> None:
    assert check("--ignore", "PAR1", ".")[0] == 0
    assert check("--select", "PAR2,PAR3", ".")[0] == 0
    assert check("--select", "PAR2", "--extend-select", "PAR10", ".")[0] == 1
    assert check("--select", "ALL", "--ignore", "PAR101", ".")[0] == 0


def test_statistics_counts_per_rule(project: Path, check) -> None:
    code, out, _ = check("--statistics", ".")
    assert code == 1
    assert out.splitlines()[0].split() == ["1", "PAR101", "outer-subscript-assignment"]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_explain_prints_every_rule_doc(check, rule) -> None:
    code, out, _ = check("--explain", rule.code.lower())
    assert code == 0
    assert out.startswith(f"{rule.code} ({rule.slug})")
    assert "## Why is this bad?" in out


def test_explain_all_prints_the_table(check) -> None:
    code, out, _ = check("--explain", "ALL")
    assert code == 0
    assert "| PAR101 | outer-subscript-assignment |" in out


def test_stdin_dash_and_stdin_filename(project: Path, check, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO((project / "unsafe.py").read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = check("--stdin-filename", "piped.py", "-")
    assert code == 1
    assert out.startswith("piped.py:8:9: PAR101")


def test_audit_gives_every_loop_a_verdict_and_safe_is_not_a_finding(project: Path, check) -> None:
    script = "acc = []\nfor i in range(3):\n    acc.append(i)\nfor j in range(2):\n    pass\n"
    (project / "script.py").write_text(script)
    code, out, _ = check("--audit", "script.py")
    assert code == 0
    assert "script.py:2:1: loop safe-with-collection (collects `acc`)" in out
    assert "script.py:4:1: loop safe" in out
    assert "2 loops: 1 safe, 1 safe with collection, 0 safe with seed=, 0 unsafe." in out


def test_audit_says_which_loops_only_the_global_generator_keeps_serial(project: Path, check) -> None:
    # Issue 12: a loop whose only finding is PAR602 is accepted by `@parallel_for(seed=...)`; the audit says so.
    script = ("import numpy as np\nnoise = []\nfor i in range(3):\n    noise.append(np.random.normal())\n"
              "out = {}\nfor j in range(3):\n    out[j] = np.random.rand()\n    out.clear()\n")
    (project / "script.py").write_text(script)
    code, out, _ = check("--audit", "script.py")
    assert code == 1
    assert "script.py:3:1: loop safe-with-seed (pass `seed=`: PAR602; collects `noise`)" in out
    assert "script.py:6:1: loop unsafe (PAR102, PAR602)" in out
    assert "2 loops: 0 safe, 0 safe with collection, 1 safe with seed=, 1 unsafe." in out


PASSES = """import time
from sklearn.kernel_ridge import KernelRidge
from sklearn.svm import SVR
for name, estimator in {{"KRR": KernelRidge(alpha=0.01), "SVR": SVR(C=100.0)}}.items():
    train_time = []
    for size in sizes:
        t0 = time.time()
        estimator.fit(X[:size], y[:size])
        train_time.append(time.time() - t0)
        estimator.predict(X[:10])
    print(name, train_time{after})
"""


@pytest.mark.parametrize(("after", "verdict"), [
    ("", "loop safe-with-collection (collects `train_time`)"),
    (", estimator.n_features_in_", "loop unsafe (PAR108)"),
], ids=["dead-after", "read-after"])
def test_audit_accepts_a_refit_of_each_pass_s_own_estimator_only_when_dead_after(
    project: Path, check, after: str, verdict: str,
) -> None:
    # Issue 12 (scikit-learn's plot_kernel_ridge_regression): the outer loop binds a new estimator per pass; the
    # inner loop refits it and nothing reads it after, so the inner loop's iterations can each fit a copy.
    (project / "script.py").write_text(PASSES.format(after=after))
    assert f"script.py:6:5: {verdict}" in check("--audit", "script.py")[1]


def test_pyproject_exclude_select_ignore_and_cli_wins(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.parallelize]\nexclude = ["unsafe.py"]\n')
    assert check(".")[0] == 0
    (project / "pyproject.toml").write_text('[tool.parallelize]\nignore = ["PAR101"]\n')
    assert check(".")[0] == 0
    assert check("--select", "PAR101", ".")[0] == 0  # ignore still removes it (ruff's precedence)
    (project / "pyproject.toml").write_text('[tool.parallelize]\nselect = ["PAR2"]\n')
    assert check(".")[0] == 0
    assert check("--select", "PAR1", ".")[0] == 1
    assert check("--isolated", ".")[0] == 1


def test_bad_pyproject_exits_2(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.parallelize]\nselect = "PAR1"\n')
    assert check(".")[0] == 2
    (project / "pyproject.toml").write_text('[tool.parallelize]\ncolour = 1\n')
    assert check(".")[0] == 2


def test_command_line_entry_point_runs_check(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "parallelize", "check", "unsafe.py"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "PAR101" in done.stdout


def test_a_file_named_explicitly_is_checked_even_when_excluded_unless_forced(tmp_path, monkeypatch, capsys):
    # Regression (issue 2): `parallelize check --audit examples/legacy/x.py` said "0 files checked".
    from parallelize._checker.cli import run

    (tmp_path / "pyproject.toml").write_text('[tool.parallelize]\nexclude = ["legacy"]\n')
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "job.py").write_text(
        "from parallelize import parallel_for\n\n\n@parallel_for\ndef f(xs, out):\n    for x in xs:\n"
        "        out.insert(0, x)\n")
    monkeypatch.chdir(tmp_path)
    assert run(["legacy/job.py"]) == 1
    assert "PAR102" in capsys.readouterr().out
    assert run(["--force-exclude", "legacy/job.py"]) == 0
    assert run(["."]) == 0


def test_the_repository_checks_clean() -> None:
    """Dogfooding: our own code passes our own checker (deliberate cases carry a noqa with the reason)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "parallelize", "check", "."], capture_output=True, text=True,
                          cwd=root, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
