"""Dask from a notebook: a function defined in a cell runs on a LocalCluster's worker process through
``config(backend="dask")`` (the current Client), in map mode and loop mode, with the serial results."""

from __future__ import annotations

import pytest
from notebook_kernel import Kernel

pytest.importorskip("distributed")


@pytest.mark.timeout(180)
def test_cell_functions_run_on_a_dask_worker_process_with_the_serial_results(kernel: Kernel) -> None:
    setup, mapped, looped, closed = kernel.run("""
import os
from distributed import Client, LocalCluster
from parallelize import config, parallel_for

cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=None, silence_logs=50)
client = Client(cluster)
list(client.run(os.getpid).values())
""", """
@parallel_for(loop=False)
def cube_and_pid(x):
    return x ** 3, os.getpid()

with config(backend="dask"):
    results = cube_and_pid.map(range(10))
[value for value, _ in results], [cube_and_pid.__wrapped__(x)[0] for x in range(10)], sorted({p for _, p in results})
""", """
@parallel_for(batch_size=1)
def labels(xs):
    out = {}
    pids = set()
    for x in xs:
        out[x] = f"item-{x}"
        pids.add(os.getpid())
    return out, pids

with config(backend="dask"):
    parallel, pids = labels(range(6))
parallel, labels.__wrapped__(range(6))[0], sorted(pids)
""", """
client.close()
cluster.close()
""", timeout=120)
    [worker_pid] = setup.value
    assert worker_pid != kernel.pid
    values, serial, pids = mapped.value
    assert values == serial == [x**3 for x in range(10)]
    assert pids == [worker_pid]
    parallel, serial_labels, loop_pids = looped.value
    assert parallel == serial_labels
    assert loop_pids == [worker_pid]
    closed.raise_error()
