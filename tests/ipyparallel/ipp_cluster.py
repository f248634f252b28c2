"""IPython cluster helpers for the ipyparallel tests, imported by name by conftest.py and the tests."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ipyparallel = pytest.importorskip("ipyparallel")


@contextlib.contextmanager
def ipython_environment(folder: Path) -> Iterator[None]:
    """Inside: IPython's files go under ``folder``, and engines started here get this process's ``sys.path`` as
    PYTHONPATH (so they import the tests' task modules by name, as Dask's workers do)."""
    saved = {k: os.environ.get(k) for k in ("IPYTHONDIR", "PYTHONPATH")}
    os.environ["IPYTHONDIR"] = str(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def start_cluster(folder: Path, engines: int) -> tuple[Any, Any]:
    """Start an IPython cluster of ``engines`` engines on loopback, its files under ``folder``; (cluster, client)."""
    cluster = ipyparallel.Cluster(n=engines, controller_ip="127.0.0.1", log_level=40,
                                  profile_dir=str(folder / "profile_tests"))
    client = cluster.start_and_connect_sync()
    client.wait_for_engines(engines, timeout=120)
    return cluster, client
