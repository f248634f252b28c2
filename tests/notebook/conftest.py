"""Real Jupyter kernels for the notebook tests (see ``notebook_kernel.py``): ``kernel`` is one kernel per test
module, whose tests use names of their own; ``fresh_kernel`` is one per test, for tests that interrupt it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# notebook_kernel.py is a helper imported by name, here and in the tests.
sys.path.insert(0, str(Path(__file__).parent))

from notebook_kernel import Kernel, python_environment, write_kernel_spec


@pytest.fixture(scope="session")
def kernel_spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernel spec for this Python, in a folder of its own (nothing installed for the user or system)."""
    return write_kernel_spec(tmp_path_factory.mktemp("jupyter") / "kernels")


@pytest.fixture(scope="module")
def kernel(kernel_spec_dir: Path, kernel_cache_dir: str) -> Iterator[Kernel]:
    running = Kernel(kernel_spec_dir, python_environment(kernel_cache_dir))
    yield running
    running.shutdown()


@pytest.fixture
def fresh_kernel(kernel_spec_dir: Path, kernel_cache_dir: str) -> Iterator[Kernel]:
    running = Kernel(kernel_spec_dir, python_environment(kernel_cache_dir))
    yield running
    running.shutdown()
