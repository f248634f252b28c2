"""The backend conformance suite on a real Dask LocalCluster, reached by address (``config(address=...)``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conformance import ConformanceSuite

from parallelize import config


class TestDaskConformance(ConformanceSuite):
    backend = "dask"

    @pytest.fixture(autouse=True)
    def _on_the_session_cluster(self, cluster: Any) -> Iterator[None]:
        with config(address=cluster.scheduler_address):
            yield
