"""Interrupting the kernel (the notebook's stop button) during a long ``.map``: the cell raises
KeyboardInterrupt, the workers that ran its tasks are gone, and the next cell's ``.map`` works."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil
import pytest
from notebook_kernel import Kernel


def _workers(kernel_pid: int) -> list[psutil.Process]:
    # The workers, not the resource trackers (those live as long as the caller, by design).
    return [child for child in psutil.Process(kernel_pid).children(recursive=True)
            if "resource_tracker" not in " ".join(child.cmdline())]


@pytest.mark.timeout(120)
def test_interrupting_a_long_map_leaves_no_worker_and_the_next_map_works(fresh_kernel: Kernel,
                                                                         tmp_path: Path) -> None:
    started = tmp_path / "started"
    interrupted: list[psutil.Process] = []
    problems: list[BaseException] = []

    def interrupt_once_tasks_run() -> None:
        try:
            deadline = time.monotonic() + 60
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # let the other worker pick up its task too
            interrupted.extend(_workers(fresh_kernel.pid))  # noqa: PAR102  (read after join())
            fresh_kernel.interrupt()
        except BaseException as exc:
            problems.append(exc)  # noqa: PAR102  (read after join())

    interrupter = threading.Thread(target=interrupt_once_tasks_run)
    interrupter.start()
    # Unless the interrupt works, the map takes 4 x 60 s: the cell's timeout fails the test first.
    [long_map] = fresh_kernel.run(f"""
import os, pathlib, time
from parallelize import parallel_for

@parallel_for(n_jobs=2, batch_size=1, loop=False)
def sleepy(x):
    pathlib.Path({str(started)!r}).touch()
    time.sleep(60)
    return x

sleepy.map(range(8))
""", timeout=30)
    interrupter.join(timeout=60)
    assert not problems, problems
    assert long_map.error is not None and long_map.error.ename == "KeyboardInterrupt", long_map.outputs
    assert interrupted, "no worker process was running when the kernel was interrupted"
    _gone, alive = psutil.wait_procs(interrupted, timeout=5)
    assert not alive, f"workers left behind after the interrupt: {alive}"

    [next_map] = fresh_kernel.run("""
@parallel_for(n_jobs=2, loop=False)
def square_and_pid(x):
    return x * x, os.getpid()

results = square_and_pid.map(range(6))
[value for value, _ in results], sorted({pid for _, pid in results})
""")
    values, pids = next_map.value
    assert values == [x * x for x in range(6)]
    assert pids and fresh_kernel.pid not in pids
    assert not {worker.pid for worker in interrupted} & set(pids)
