"""A real IPython cluster (ipyparallel) on 127.0.0.1 for the ipyparallel backend tests.

``ipp_cluster`` is one ``ipyparallel.Cluster`` of 2 engines for the whole session, in a profile directory of its
own (nothing is written to ~/.ipython). Its engines are started with this process's ``sys.path`` as PYTHONPATH,
so they import tests/tasks.py (and tests/dask/dask_tasks.py, plain task functions) by name, as Dask's workers do.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ipyparallel = pytest.importorskip("ipyparallel")

HERE = Path(__file__).parent
for folder in (HERE, HERE.parent, HERE.parent / "backends", HERE.parent / "dask"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def start_cluster(folder: Path, engines: int) -> Any:
    """Start an IPython cluster of ``engines`` engines on loopback, its files under ``folder``."""
    os.environ["IPYTHONDIR"] = str(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    cluster = ipyparallel.Cluster(n=engines, controller_ip="127.0.0.1", log_level=40,
                                  profile_dir=str(folder / "profile_tests"))
    client = cluster.start_and_connect_sync()
    client.wait_for_engines(engines, timeout=120)
    return cluster, client


@pytest.fixture(scope="session")
def ipp_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    saved = {k: os.environ.get(k) for k in ("IPYTHONDIR", "PYTHONPATH")}
    cluster, client = start_cluster(tmp_path_factory.mktemp("ipython"), 2)
    try:
        yield cluster
    finally:
        import parallelize

        parallelize.shutdown()
        client.close()
        cluster.stop_cluster_sync()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def url_file(ipp_cluster: Any) -> str:
    return str(ipp_cluster.controller.connection_files["client"])
