"""What a loop prints comes out as the serial loop prints it: in iteration order, in the caller's stdout."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from subprocess_env import child_env

from parallelize._rewrite.output import captured_stdout

SCRIPT = """
import os, sys, time
from parallelize import parallel_for

CALLER = os.getpid()


@parallel_for(n_jobs=2, batch_size=1, on_error=sys.argv[1])
def run(xs):
    out = []
    for x in xs:
        time.sleep(0.04 * (x % 3))  # later iterations often finish first
        print("iteration", x, "on a worker" if os.getpid() != CALLER else "in the caller")
        if x == 6:
            raise ValueError("six")
        out.append(x * x)
    return out


try:
    print(run(list(range(9))))
except Exception as exc:
    print("raised", type(exc).__name__)
"""


def _lines(script: Path, *, serial: bool, on_error: str = "collect") -> list[str]:
    env = child_env(**({"PARALLELIZE_BACKEND": "serial"} if serial else {}))
    done = subprocess.run([sys.executable, str(script), on_error], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "printing_loop.py"
    path.write_text(SCRIPT)
    return path


def test_worker_output_comes_out_in_iteration_order_as_serially(script: Path) -> None:
    parallel = _lines(script, serial=False)
    serial = _lines(script, serial=True)
    assert any("on a worker" in line for line in parallel)  # or the test would prove nothing
    assert [line.rsplit(" ", 3)[0] for line in parallel] == [line.rsplit(" ", 3)[0] for line in serial]
    assert [line.split()[1] for line in parallel if line.startswith("iteration")] == [str(x) for x in range(9)]


def test_a_failing_iterations_output_is_not_lost(script: Path) -> None:
    parallel = _lines(script, serial=False, on_error="raise")
    assert "raised ValueError" in parallel[-1]
    assert any(line.startswith("iteration 6") for line in parallel)


def test_each_thread_captures_only_its_own_writes() -> None:
    # A Dask worker runs several iterations at once on its threads: each capture must get only its own lines.
    results: dict[int, str] = {}
    start = threading.Barrier(4)

    def iteration(k: int) -> None:
        with captured_stdout() as out:
            start.wait()
            for _ in range(200):
                print(k, end=" ")
        results[k] = out.getvalue()

    real = sys.stdout
    sys.stdout = io.StringIO()  # what the other threads (none here) would see
    try:
        threads = [threading.Thread(target=iteration, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sys.stdout.real.getvalue() == ""  # type: ignore[attr-defined]
    finally:
        sys.stdout = real
    assert results == {k: f"{k} " * 200 for k in range(4)}
