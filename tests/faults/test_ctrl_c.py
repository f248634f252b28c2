"""Ctrl-C during .map: KeyboardInterrupt in the caller within 2 s and no worker process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from parallelize import parallel_for

    def work(x):
        time.sleep(30)
        return x

    if __name__ == "__main__":
        f = parallel_for(n_jobs=2, batch_size=1)(work)
        print("started", flush=True)
        try:
            f.map(range(8))
        except KeyboardInterrupt:
            print("interrupted", time.monotonic(), flush=True)
            sys.exit(42)
    """
)


def test_sigint_interrupts_map_and_leaves_no_worker(tmp_path: Path) -> None:
    script = tmp_path / "ctrl_c.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    while len(parent.children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # let the workers pick up tasks
    children = parent.children(recursive=True)
    assert children, "the pool never started"
    sent = time.monotonic()
    os.kill(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 42, out
    interrupted_at = float(out.split("interrupted")[1].split()[0])
    assert interrupted_at - sent < 2.0
    _gone, alive = psutil.wait_procs(children, timeout=5)
    assert not alive, f"workers left behind: {alive}"
