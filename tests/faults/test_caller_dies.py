"""A caller that dies (SIGKILL, a segfault, abort) while its tasks run leaves no worker process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

SCRIPT = textwrap.dedent(
    """
    import ctypes, os, signal, sys, threading, time
    from parallelize import parallel_for

    def work(x):
        time.sleep(60)
        return x

    if __name__ == "__main__":
        how = sys.argv[1]
        f = parallel_for(n_jobs=2, batch_size=1)(work)
        if how != "sigkill":  # the caller itself fails while the workers are busy
            def die():
                time.sleep(3)
                if how == "segfault":
                    ctypes.string_at(0)
                elif how == "abort":
                    os.abort()
                os._exit(3)
            threading.Thread(target=die, daemon=True).start()
        print("started", flush=True)
        f.map(range(4))
    """
)


@pytest.mark.parametrize("how", ["sigkill", "segfault", "abort", "os_exit"])
def test_workers_exit_when_the_caller_dies(tmp_path: Path, how: str) -> None:
    script = tmp_path / "caller.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), how], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    workers: list[psutil.Process] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = [c for c in parent.children(recursive=True) if "--pipe" in " ".join(c.cmdline())]
    assert len(workers) == 2, "the workers never started"
    # Every process the caller started: workers and loky's resource tracker.
    family = parent.children(recursive=True)
    if how == "sigkill":
        time.sleep(1.0)  # the tasks are running
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode != 0
    _gone, alive = psutil.wait_procs(family, timeout=10)
    for leftover in alive:
        leftover.kill()
    assert alive == [], f"processes left behind by a caller that died ({how}): {alive}"
