"""The backend conformance suite on a real IPython cluster, reached by its connection file
(``config(backend="ipyparallel", url_file=...)``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conformance import ConformanceSuite

from parallelize import config


class TestIPyParallelConformance(ConformanceSuite):
    backend = "ipyparallel"

    @pytest.fixture(autouse=True)
    def _on_the_session_cluster(self, url_file: str) -> Iterator[None]:
        with config(url_file=url_file):
            yield
