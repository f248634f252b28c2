"""An IPython cluster from a notebook: a function defined in a cell runs on an ipyparallel engine, passed as
``backend=`` (the Client) and through ``config(backend="ipyparallel", url_file=...)``, in map mode and loop mode,
with the serial results."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_kernel import Kernel

pytest.importorskip("ipyparallel")


@pytest.mark.timeout(240)
def test_cell_functions_run_on_an_ipyparallel_engine_with_the_serial_results(kernel: Kernel, tmp_path: Path) -> None:
    setup, mapped, looped, closed = kernel.run(f"""
import os
os.environ["IPYTHONDIR"] = {str(tmp_path)!r}  # the cluster's files stay in the test's folder
import ipyparallel as ipp
from parallelize import config, parallel_for

cluster = ipp.Cluster(n=1, controller_ip="127.0.0.1", log_level=40, profile_dir={str(tmp_path / "profile_nb")!r})
rc = cluster.start_and_connect_sync()
rc.wait_for_engines(1, timeout=120)
url_file = cluster.controller.connection_files["client"]
rc[:].apply_sync(os.getpid)
""", """
@parallel_for(loop=False, backend=rc)
def cube_and_pid(x):
    return x ** 3, os.getpid()

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

with config(backend="ipyparallel", url_file=url_file):
    parallel, pids = labels(range(6))
parallel, labels.__wrapped__(range(6))[0], sorted(pids)
""", """
import parallelize
parallelize.shutdown()
rc.close()
cluster.stop_cluster_sync()
""", timeout=180)
    [engine_pid] = setup.value
    assert engine_pid != kernel.pid
    values, serial, pids = mapped.value
    assert values == serial == [x**3 for x in range(10)]
    assert pids == [engine_pid]
    parallel, serial_labels, loop_pids = looped.value
    assert parallel == serial_labels
    assert loop_pids == [engine_pid]
    closed.raise_error()
