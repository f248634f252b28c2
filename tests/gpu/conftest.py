"""GPU test setup: the in-process simulator suite only runs in a process started with NUMBA_ENABLE_CUDASIM=1.

``insim/`` is collected by ``test_simulator.py::test_in_process_simulator_suite``, which runs pytest on it in a
subprocess with the variable set; collecting it here would fix numba's simulator choice for this whole process.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from parallelize._gpu import detect

collect_ignore = [] if detect.simulator_in_process() else ["insim"]

needs_nvcc = pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (CUDA toolkit) not on PATH")


@pytest.fixture(autouse=True)
def _fresh_detection() -> Iterator[None]:
    """Each test probes the device and shows the once-only notice afresh."""
    detect.reset()
    yield
    detect.reset()
