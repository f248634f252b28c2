"""The GPU layer behind ``@gpu_kernel``: choose the path (CUDA via numba-cuda | CUDA C via pycuda | CPU via
numba).

Modules: ``detect`` (which paths are usable), ``launch`` (blocks x threads, pure), ``arguments`` (dtype and
broadcasting rules), ``kernel`` (the decorated object and per-call dispatch), ``numba_cuda`` / ``cpu`` (the
paths), ``simworker`` (numba's simulator in a helper process), ``pycuda_source`` (CUDA C), ``rewrite``
(grid-kernel index calls), ``diagnostics`` (compile errors, timing records). Nothing here imports numba until
a kernel runs.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import time
import warnings
from collections.abc import Callable

from parallelize._cachedir import CACHE_ENV
from parallelize._gpu import detect, diagnostics, diskcache

__all__ = ["demo_step", "info_lines", "probe_line"]


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def info_lines(probe: bool = False) -> list[str]:
    """Return the GPU lines of ``parallelize info --gpu``: device, packages, simulator, the kernel cache, and
    per-kernel timings; with ``probe``, the timings of a saxpy kernel compiled (or loaded) and run here."""
    status = detect.cuda_status()
    if status.available:
        limits = status.limits
        device = (
            f"CUDA device: {status.name} ({limits.multiprocessor_count} SMs, "
            f"{limits.max_threads_per_block} threads/block max)"
        )
    else:
        device = f"CUDA device: none ({status.reason}); device='auto' runs kernels on the CPU path"
    simulator = (
        "this process (NUMBA_ENABLE_CUDASIM=1)" if detect.simulator_in_process() else "a helper process, on demand"
    )
    lines = [
        device,
        f"numba: {_version('numba')}, numba-cuda: {_version('numba-cuda')}, pycuda: {_version('pycuda')}",
        f"nvcc: {shutil.which('nvcc') or 'not on PATH'}",
        f"CUDA simulator (device='simulator') runs in {simulator}",
    ]
    files, size = diskcache.cache_size()
    lines.append(
        f"kernel cache: {diskcache.cache_dir()} ({files} files, {size / 1e6:.1f} MB; "
        f"set {CACHE_ENV} to move the whole cache, delete it to clear)"
    )
    if probe:
        lines.append(probe_line())
    else:
        lines.extend(kernel_lines(diagnostics.stats()))
    return lines


def kernel_lines(records: list[diagnostics.KernelStats]) -> list[str]:
    """One line per kernel and path: compiles, loads from the disk cache, and run times."""
    if not records:
        return ["kernels: none compiled in this process yet"]
    lines = []
    for r in records:
        mean = r.run_s / r.runs * 1e3 if r.runs else 0.0
        built = []
        if r.compiles:
            built.append(f"{r.compiles} compile(s) {r.compile_s:.3f} s")
        if r.loads:
            built.append(f"{r.loads} load(s) from disk cache {r.load_s:.3f} s")
        lines.append(
            f"kernel {r.name} [{r.device}]: {', '.join(built) or 'nothing compiled'}; "
            f"{r.runs} run(s), mean {mean:.3f} ms, last {r.last_run_s * 1e3:.3f} ms"
        )
    return lines


def _probe_saxpy(a: float, x: float, y: float) -> float:
    return a * x + y


def probe_line(size: int = 1_000_000, calls: int = 5) -> str:
    """Compile (or load) and run a saxpy kernel on the path ``device='auto'`` picks; return its record's line."""
    import numpy as np

    from parallelize._gpu.kernel import GPUKernel, KernelOptions

    kernel = GPUKernel(_probe_saxpy, KernelOptions())
    x = np.ones(size, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(calls):
            kernel(np.float32(2.0), x, x)
    path = detect.resolve_device("auto")
    record = next(r for r in diagnostics.stats() if r.name == kernel.name and r.device == path)
    return f"probe ({size:,} float32, {calls} calls): " + kernel_lines([record])[0]


def _best_of(repeat: int, call: Callable[[], object]) -> float:
    """The fastest of ``repeat`` timed calls: a single call on a shared machine measures the machine."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def demo_step(size: int = 2_000_000) -> str:
    """Run saxpy on the GPU (or the CPU path where there is none) against numpy; return one summary line."""
    import numpy as np

    from parallelize._gpu.kernel import GPUKernel, KernelOptions

    def saxpy(a: float, x: float, y: float) -> float:
        return a * x + y

    kernel = GPUKernel(saxpy, KernelOptions())
    rng = np.random.default_rng(0)
    x = rng.random(size, dtype=np.float32)
    y = rng.random(size, dtype=np.float32)
    with warnings.catch_warnings():  # the line below says which path ran; no need for the once-only notice too
        warnings.simplefilter("ignore")
        path = detect.resolve_device("auto")
        started = time.perf_counter()
        result = kernel(np.float32(2.0), x, y)
        first = time.perf_counter() - started
        ours = _best_of(5, lambda: kernel(np.float32(2.0), x, y))
        result = kernel(np.float32(2.0), x, y)
    numpy_s = _best_of(5, lambda: np.float32(2.0) * x + y)
    expected = np.float32(2.0) * x + y
    same = bool(np.allclose(result, expected, rtol=1e-6))
    where = detect.cuda_status().name if path == "cuda" else "CPU path (numba parallel; no CUDA device)"
    return (
        f"@gpu_kernel saxpy over {size:,} float32 on {where}: {ours * 1e3:.2f} ms "
        f"vs numpy {numpy_s * 1e3:.2f} ms ({numpy_s / ours:.2f}x numpy); "
        f"first call {first:.2f} s (compile, or load from the disk cache); "
        f"results {'match' if same else 'DIFFER'}"
    )
