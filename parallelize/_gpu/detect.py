"""Find out which GPU paths this process can use, without importing numba until it must.

Order of checks for a real device (each cheap check first, so a machine without a driver never imports
``numba.cuda``, which would also fix numba's simulator choice for the whole process):

1. the process runs numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1`` at start-up) -> no real device;
2. numba and numba-cuda are installed (``importlib.util.find_spec``, no import);
3. the driver library (``libcuda.so.1`` / ``nvcuda.dll``) loads;
4. ``numba.cuda.is_available()`` and the current device's limits.

The result is computed once per process under a lock. ``device="auto"`` without a device says so once with a
:class:`~parallelize.ParallelizeWarning`.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
import threading
import warnings
from dataclasses import dataclass, field
from typing import Literal

from parallelize._errors import BackendUnavailableError, GPUUnavailableError, ParallelizeWarning
from parallelize._gpu.launch import DeviceLimits

__all__ = [
    "DEVICES",
    "CudaStatus",
    "Device",
    "cuda_status",
    "is_installed",
    "require_numba",
    "resolve_device",
    "simulator_in_process",
]

Device = Literal["cuda", "cpu", "simulator"]
DEVICES = ("auto", "cuda", "cpu", "simulator")
GPU_EXTRA_HINT = "pip install 'parallelize[gpu]'"

_lock = threading.Lock()
_status: CudaStatus | None = None
_warned = False


@dataclass(frozen=True)
class CudaStatus:
    """Whether a real CUDA device is usable, and if not, why."""

    available: bool
    reason: str
    name: str = ""
    limits: DeviceLimits = field(default_factory=DeviceLimits)


def is_installed(module: str) -> bool:
    """Return whether ``module`` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def simulator_in_process() -> bool:
    """Return whether ``numba.cuda`` in this process is (or will be, on first import) numba's CUDA
    simulator."""
    config = sys.modules.get("numba.core.config")
    if config is not None:  # numba read the environment when it was imported; that reading is what counts
        return bool(getattr(config, "ENABLE_CUDASIM", False))
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in {"", "0"}


def _driver_library_loads() -> str:
    """Return "" when the CUDA driver library loads, else the loader's reason."""
    names = ["nvcuda.dll"] if sys.platform == "win32" else ["libcuda.so.1", "libcuda.so", "libcuda.dylib"]
    reasons = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError as exc:
            reasons.append(str(exc))
        else:
            return ""
    return "; ".join(reasons)


def _probe() -> CudaStatus:
    if simulator_in_process():
        return CudaStatus(
            False, "this process runs numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1), not a device"
        )
    if not (is_installed("numba") and is_installed("numba.cuda")):
        return CudaStatus(False, f"numba / numba-cuda are not installed ({GPU_EXTRA_HINT})")
    driver_error = _driver_library_loads()
    if driver_error:
        return CudaStatus(False, f"no NVIDIA driver library ({driver_error})")
    try:
        from numba import cuda

        if not cuda.is_available():  # type: ignore[no-untyped-call]
            return CudaStatus(False, "numba.cuda.is_available() is False (driver present, no usable device)")
        dev = cuda.get_current_device()  # type: ignore[no-untyped-call]
        limits = DeviceLimits(
            max_threads_per_block=int(dev.MAX_THREADS_PER_BLOCK),
            max_grid_dim_x=int(dev.MAX_GRID_DIM_X),
            multiprocessor_count=int(dev.MULTIPROCESSOR_COUNT),
            warp_size=int(dev.WARP_SIZE),
        )
        name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
    except (
        Exception
    ) as exc:  # CudaSupportError, driver errors: any failure means "not usable", with the reason
        return CudaStatus(False, f"CUDA initialisation failed: {type(exc).__name__}: {exc}")
    return CudaStatus(True, "", name, limits)


def cuda_status() -> CudaStatus:
    """Return (and remember) whether a real CUDA device is usable in this process."""
    global _status
    with _lock:
        if _status is None:
            _status = _probe()
        return _status


def require_numba() -> None:
    """Raise :class:`~parallelize.BackendUnavailableError` unless numba is installed (the CPU path needs
    it)."""
    if not is_installed("numba"):
        raise BackendUnavailableError(f"@gpu_kernel's CPU path needs numba: {GPU_EXTRA_HINT}")


def resolve_device(device: str) -> Device:
    """Turn a ``device=`` argument into the path that runs.

    Raises:
        ValueError: ``device`` is not one of ``auto``, ``cuda``, ``cpu``, ``simulator``.
        GPUUnavailableError: ``device="cuda"`` and no device is usable (the message says what was looked for).
    """
    global _warned
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(map(repr, DEVICES))}; got {device!r}")
    if device == "cpu":
        return "cpu"
    if device == "simulator":
        if not is_installed("numba.cuda"):
            raise GPUUnavailableError(f"device='simulator' needs numba-cuda: {GPU_EXTRA_HINT}")
        return "simulator"
    status = cuda_status()
    if status.available:
        return "cuda"
    if device == "cuda":
        raise GPUUnavailableError(
            "device='cuda' was asked for but no CUDA device is usable: "
            f"{status.reason}. Looked for numba + numba-cuda, the NVIDIA driver library and a device; "
            "use device='auto' to fall back to the CPU path"
        )
    with _lock:
        warn, _warned = not _warned, True
    if warn:
        warnings.warn(
            f"@gpu_kernel: no CUDA device ({status.reason}); "
            "running kernels on the CPU path (numba parallel). "
            "This notice is shown once.",
            ParallelizeWarning,
            stacklevel=4,
        )
    return "cpu"


def reset() -> None:
    """Forget the probed status and the once-only notice (tests only)."""
    global _status, _warned
    with _lock:
        _status, _warned = None, False
