"""A real IPython cluster (ipyparallel) on 127.0.0.1 for the ipyparallel backend tests.

``ipp_cluster`` is one ``ipyparallel.Cluster`` of 2 engines for the whole session, in a profile directory of its
own (nothing is written to ~/.ipython). Its engines import tests/tasks.py (and tests/dask/dask_tasks.py, plain
task functions) by name, as Dask's workers do (``ipp_cluster.ipython_environment``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "dask"))
sys.path.insert(0, str(Path(__file__).parent.parent / "backends"))
sys.path.insert(0, str(Path(__file__).parent.parent))
sys.path.insert(0, str(Path(__file__).parent))

from ipp_cluster import ipython_environment, start_cluster


@pytest.fixture(scope="session")
def ipp_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("ipython")
    with ipython_environment(folder):
        cluster, client = start_cluster(folder, 2)
        try:
            yield cluster
        finally:
            import parallelize

            parallelize.shutdown()
            client.close()
            cluster.stop_cluster_sync()


@pytest.fixture(scope="session")
def url_file(ipp_cluster: Any) -> str:
    return str(ipp_cluster.controller.connection_files["client"])
