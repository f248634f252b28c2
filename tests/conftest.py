"""Shared fixtures: every test starts with no PARALLELIZE_* variables and no global config(); compiled GPU
kernels go to one cache directory for the session, never the user's ``~/.cache``."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from parallelize._config import reset_config


@pytest.fixture(scope="session")
def kernel_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("kernel-cache"))


@pytest.fixture(autouse=True)
def clean_parallelize_environment(monkeypatch: pytest.MonkeyPatch, kernel_cache_dir: str) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("PARALLELIZE_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", kernel_cache_dir)
    reset_config()
    yield
    reset_config()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import parallelize

    parallelize.shutdown(kill=True)
