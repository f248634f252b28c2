"""Real ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1 (free ports), stopped by PID at the end."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask_tasks
import psutil
import pytest
import tasks
from dask_cluster import distributed

import parallelize
from parallelize import config, parallel_for
from parallelize._backends.dask import DaskBackend

pytestmark = pytest.mark.dask_processes

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dask_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "dask"
    return [str(script), *args] if script.exists() else [shutil.which("dask") or "dask", *args]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop each process and its children by PID: SIGTERM, then SIGKILL whatever is left."""
    family: list[psutil.Process] = []
    for proc in processes:
        try:
            parent = psutil.Process(proc.pid)
            family += [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    # Workers first, while their scheduler can still acknowledge that they leave; then the scheduler.
    for group in (processes[1:], processes[:1]):
        for proc in group:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in group:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    _gone, alive = psutil.wait_procs(family, timeout=5)
    for leftover in alive:
        leftover.kill()
    for proc in processes:
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    common = ["--host", "127.0.0.1", "--no-dashboard"]
    processes = [subprocess.Popen(dask_command("scheduler", "--port", str(port), *common), env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        processes += [
            subprocess.Popen(dask_command("worker", address, "--nthreads", "1", "--name", name, *extra, *common),
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, extra in (("gpu-worker", ["--resources", "GPU=1"]), ("cpu-worker", []))
        ]
        with distributed.Client(address, timeout=30, set_as_default=False) as probe:
            probe.wait_for_workers(2, timeout=60)
        yield address
    finally:
        parallelize.shutdown()
        stop(processes)
        assert all(proc.poll() is not None for proc in processes)


def worker_pids(client: Any) -> dict[str, int]:
    """Worker name -> PID of its worker process (the nanny's child)."""
    pids: dict[str, int] = client.run(os.getpid)
    names = {addr: info["name"] for addr, info in client.scheduler_info(n_workers=-1)["workers"].items()}
    return {names[addr]: pid for addr, pid in pids.items()}


def test_address_from_config_runs_maps_on_real_worker_processes(address: str) -> None:
    with config(backend="dask", address=address):
        f = parallel_for(batch_size=1)(dask_tasks.where)
        out = f.map(range(12), 0.01)
        assert [x for x, _ in out] == list(range(12))
        assert len({pid for _, pid in out}) == 2
        assert list(parallel_for(tasks.square).imap(iter(range(30)))) == [x * x for x in range(30)]


def test_resources_send_batches_only_to_workers_that_have_them(address: str) -> None:
    backend = DaskBackend(address, resources={"GPU": 1})
    try:
        assert backend.n_workers == 1
        pids = worker_pids(backend.client)
        out = parallel_for(backend=backend, batch_size=1)(dask_tasks.where).map(range(8), 0.01)
        assert [x for x, _ in out] == list(range(8))
        assert {pid for _, pid in out} == {pids["gpu-worker"]}
    finally:
        backend.shutdown()


def test_sigkill_of_a_worker_mid_map_loses_and_repeats_nothing(address: str) -> None:
    backend = DaskBackend(address)
    try:
        victim = worker_pids(backend.client)["cpu-worker"]
        f = parallel_for(backend=backend, batch_size=1)(dask_tasks.where)
        results = []
        for x, pid in f.imap(range(24), 0.15):
            results.append(x)
            if len(results) == 3:
                os.kill(victim, signal.SIGKILL)
        assert results == list(range(24))  # Dask reran the dead worker's tasks; each result came once
        deadline = time.monotonic() + 60
        while victim in worker_pids(backend.client).values() or len(worker_pids(backend.client)) < 2:
            assert time.monotonic() < deadline, "the nanny did not restart the killed worker"
            time.sleep(0.2)
    finally:
        backend.shutdown()
