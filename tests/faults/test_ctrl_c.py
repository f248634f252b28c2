"""Ctrl-C during .map or while waiting on .submit(): KeyboardInterrupt in the caller within 2 s and no worker
process left behind."""

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
    import sys, time
    from parallelize import parallel_for

    def work(x):
        time.sleep(30)
        return x

    if __name__ == "__main__":
        f = parallel_for(n_jobs=2, batch_size=1, timeout=TIMEOUT)(work)
        print("started", flush=True)
        try:
            CALL
        except KeyboardInterrupt:
            print("interrupted", time.monotonic(), flush=True)
            time.sleep(20)  # stay alive: the workers must be gone before exit's clean-up could kill them
            sys.exit(42)
    """
)


CALLS = {
    "map": ("f.map(range(8))", "None"),
    "submit": ("[f.submit(i) for i in range(2)][0].result()", "None"),
    "submit-timeout": ("f.submit(0).result()", "600"),  # a timeout puts a watcher thread behind the future
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_sigint_interrupts_the_wait_and_leaves_no_worker(tmp_path: Path, call: str) -> None:
    script = tmp_path / "ctrl_c.py"
    expression, timeout = CALLS[call]
    script.write_text(SCRIPT.replace("CALL", expression).replace("TIMEOUT", timeout))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    while len(parent.children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # let the workers pick up tasks
    # The workers, not the resource trackers (those live as long as the caller, by design).
    children = [c for c in parent.children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline())]
    assert children, "the pool never started"
    sent = time.monotonic()
    os.kill(proc.pid, signal.SIGINT)
    line = proc.stdout.readline()
    assert line.startswith("interrupted"), line
    assert float(line.split()[1]) - sent < 2.0
    _gone, alive = psutil.wait_procs(children, timeout=5)
    proc.kill()
    proc.communicate(timeout=30)
    assert not alive, f"workers left behind while the caller still runs: {alive}"
