"""Dask test helpers, imported by name by the tests and by conftest.py (never from conftest itself)."""

from __future__ import annotations

from typing import Any

import pytest

distributed = pytest.importorskip("distributed")


def local_cluster(**kwargs: Any) -> Any:
    """A LocalCluster of worker processes on loopback only, without a dashboard."""
    options: dict[str, Any] = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1",
                               "dashboard_address": None, "silence_logs": 50,
                               "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}
    options.update(kwargs)
    return distributed.LocalCluster(**options)
