"""The public API is exactly what parallelize/__init__.py exports; each name is documented and public-looking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import parallelize

EXPECTED = {
    "BackendUnavailableError", "DaskBackend", "GPUUnavailableError", "KernelCompileError", "ParallelFunction",
    "ParallelizeError", "ParallelizeWarning",
    "SerializationError", "SharedStateError", "TaskFailures", "TaskTimeoutError", "WorkerCrashedError", "config",
    "gpu_kernel", "io_bound", "parallel_for", "rng", "shutdown", "worker_state",
}


def test_all_is_pinned_and_sorted() -> None:
    assert set(parallelize.__all__) == EXPECTED
    assert parallelize.__all__ == sorted(parallelize.__all__)


def test_every_public_name_has_a_docstring_and_the_public_module() -> None:
    for name in parallelize.__all__:
        obj = getattr(parallelize, name)
        assert obj.__doc__, name
        if name != "gpu_kernel":
            assert obj.__module__ == "parallelize", name


def test_errors_subclass_the_builtins_they_resemble() -> None:
    assert issubclass(parallelize.SharedStateError, ValueError)
    assert issubclass(parallelize.SerializationError, TypeError)
    assert issubclass(parallelize.TaskTimeoutError, TimeoutError)
    assert issubclass(parallelize.WorkerCrashedError, RuntimeError)
    for name in ("SharedStateError", "SerializationError", "TaskTimeoutError", "WorkerCrashedError",
                 "BackendUnavailableError", "GPUUnavailableError"):
        assert issubclass(getattr(parallelize, name), parallelize.ParallelizeError)


def test_import_is_light_and_has_no_side_effects() -> None:
    code = ("import sys, parallelize; "
            "heavy = [m for m in ('numba', 'dask', 'distributed', 'loky', 'sklearn') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_py_typed_ships_with_the_package() -> None:
    assert (Path(parallelize.__file__).parent / "py.typed").exists()
