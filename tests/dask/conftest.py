"""Real Dask clusters on 127.0.0.1 for the Dask backend tests.

``cluster`` is one ``LocalCluster`` (2 worker processes x 1 thread) for the whole session; ``client`` is a Client
to it that is *not* the default one, so tests choose explicitly between "the current Client", an address and a
Client object. Tests that kill workers start their own cluster.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# tests/tasks.py, tests/backends/conformance.py and tests/dask/dask_tasks.py are imported by name, here and in
# worker processes (spawned workers inherit sys.path from this process).
sys.path.insert(0, str(Path(__file__).parent.parent / "backends"))
sys.path.insert(0, str(Path(__file__).parent.parent))
sys.path.insert(0, str(Path(__file__).parent))

from dask_cluster import distributed, local_cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    with local_cluster() as running:
        yield running
        # Close the clients parallelize opened to it first, so none is left trying to reconnect.
        import parallelize

        parallelize.shutdown()


@pytest.fixture(scope="session")
def client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster, set_as_default=False) as session_client:
        session_client.wait_for_workers(2, timeout=60)
        yield session_client
