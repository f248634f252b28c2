"""``[tool.parallelize] parallel-callables``: a project's own map functions, whose first argument is a task."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

JOBS = '''\
import mylib
from mylib import tmap
from utils.parallel import run_all
from utils import parallel as par

seen = []
slots = [None] * 4


def grab(x):
    seen.append(x)


def fill(i):
    slots[i] = i * i


def square(x):
    return x * x


mylib.pmap(grab, range(4))
run_all(grab, range(4))
par.run_all(square, range(4))
tmap(fill, range(4))
mylib.other(grab, range(4))
'''


@pytest.fixture
def wrappers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project that calls its own parallel wrappers, as the working directory."""
    (tmp_path / "jobs.py").write_text(JOBS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _configure(root: Path, value: str) -> None:
    (root / "pyproject.toml").write_text(f"[tool.parallelize]\nparallel-callables = {value}\n")


def test_without_the_setting_the_wrappers_are_unknown_calls(wrappers: Path, check) -> None:
    assert check(".")[0] == 0


def test_listed_callables_run_their_first_argument_on_processes(wrappers: Path, check) -> None:
    _configure(wrappers, '["mylib.pmap", "utils.parallel.run_all", "mylib.tmap"]')
    code, out, _ = check(".")
    assert code == 1
    lines = [line.split(" ", 2)[:2] for line in out.splitlines() if line.startswith("jobs.py")]
    # grab's append (by mylib.pmap and run_all, once), fill's own-slot write is lost on processes
    assert lines == [["jobs.py:11:5:", "PAR102"], ["jobs.py:15:5:", "PAR101"]], out
    assert "each process worker changes its own copy" in out


def test_the_table_form_takes_a_kind(wrappers: Path, check) -> None:
    _configure(wrappers, '[{name = "mylib.tmap", kind = "threads"}, {name = "utils.parallel.run_all"}]')
    code, out, _ = check(".")
    assert code == 1
    assert "jobs.py:11:5: PAR102" in out  # run_all: processes by default
    assert "PAR101" not in out  # tmap runs fill on threads: each writes its own slot


@pytest.mark.parametrize(("value", "says"), [
    ('"mylib.pmap"', "must be a list of qualified names"),
    ('[3]', "got 3"),
    ('["mylib..pmap"]', "'mylib..pmap' is not a qualified name"),
    ('[{name = "mylib.tmap", kind = "gpu"}]', "has kind 'gpu'; expected one of processes, threads"),
    ('[{kind = "threads"}]', "takes `name` (required) and `kind`"),
    ('[{name = "m.f", workers = 4}]', "takes `name` (required) and `kind`"),
])
def test_bad_values_exit_2_naming_the_value(wrappers: Path, check, value: str, says: str) -> None:
    _configure(wrappers, value)
    code, out, err = check(".")
    assert code == 2
    assert out == ""
    assert "[tool.parallelize]: `parallel-callables`" in err
    assert says in err


def test_through_the_installed_command(wrappers: Path) -> None:
    _configure(wrappers, '["utils.parallel.run_all"]')
    done = subprocess.run([sys.executable, "-m", "parallelize", "check", "--format", "json", "."],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert '"code": "PAR102"' in done.stdout
    assert check_isolated_is_clean(wrappers)


def check_isolated_is_clean(root: Path) -> bool:
    """``--isolated`` reads no configuration, so the wrappers are unknown calls again."""
    done = subprocess.run([sys.executable, "-m", "parallelize", "check", "--isolated", "."], cwd=root,
                          capture_output=True, text=True, check=False)
    return done.returncode == 0
