"""Shared fixtures: every test starts with no PARALLELIZE_* variables and no global config()."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from parallelize._config import reset_config


@pytest.fixture(autouse=True)
def clean_parallelize_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("PARALLELIZE_"):
            monkeypatch.delenv(name, raising=False)
    reset_config()
    yield
    reset_config()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import parallelize

    parallelize.shutdown(kill=True)
