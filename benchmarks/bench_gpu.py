"""@gpu_kernel against numpy: CUDA when a device is present, else the CPU path and numba's simulator.

    python benchmarks/bench_gpu.py            # prints a Markdown table (run by hand; tests never time)

On a CUDA machine: saxpy over 1e8 float32 (achieved bandwidth vs the device-to-device copy measured in the same
run; target >= 80%), Mandelbrot 4096^2 (vs numpy and the CPU path) and compile times. Elsewhere: the CPU path on
smaller sizes and the simulator on 1,000 elements (it runs ~100 us per element: a test device, not a fallback).

Compile times are measured twice per kernel: cold, into an empty kernel cache made for this run, and from the disk
cache, by a second kernel object for the same function (what a process worker or the script's next run pays).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# An empty cache for this run, set before numba is imported: numba reads NUMBA_CACHE_DIR once.
_CACHE = tempfile.mkdtemp(prefix="bench-gpu-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["PARALLELIZE_CACHE_DIR"] = _CACHE
os.environ["NUMBA_CACHE_DIR"] = os.path.join(_CACHE, "numba")

from parallelize._decorators.gpu_kernel import gpu_kernel  # noqa: E402
from parallelize._gpu import detect  # noqa: E402

# The Mandelbrot kernel and its numpy version are the example's own, so the benchmark times what the example shows.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "gpu"))
from mandelbrot import escape_time, numpy_mandelbrot  # noqa: E402


def saxpy(a, x, y):
    return a * x + y


def best(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def first_call(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def row(workload: str, path: str, ours: float, numpy_s: float, extra: str = "") -> str:
    return f"| {workload} | {path} | {ours * 1e3:.2f} | {numpy_s * 1e3:.2f} | {numpy_s / ours:.2f}x | {extra} |"


COMPILES: list[str] = []


def compiled(kernel_name: str, path: str, make: Callable[[], Any], call: Callable[[Any], Any]) -> Any:
    """Return ``make()``'s kernel after timing its first call cold, and a fresh kernel's first call from disk."""
    kernel = make()
    cold = first_call(lambda: call(kernel))
    warm = first_call(lambda: call(make()))
    COMPILES.append(f"| {kernel_name} | {path} | {cold:.3f} | {warm:.3f} | {cold / warm:.0f}x |")
    return kernel


def cuda_rows() -> list[str]:
    from numba import cuda

    n = 100_000_000
    rng = np.random.default_rng(0)
    x_host = rng.random(n, dtype=np.float32)
    y_host = rng.random(n, dtype=np.float32)
    x, y = cuda.to_device(x_host), cuda.to_device(y_host)
    kernel = compiled(
        "saxpy", "cuda", lambda: gpu_kernel(device="cuda")(saxpy), lambda k: k(np.float32(2.0), x, y)
    )
    out = cuda.device_array(n, dtype=np.float32)

    def run() -> None:
        kernel(np.float32(2.0), x, y, out=out)
        cuda.synchronize()

    def copy() -> None:
        out.copy_to_device(x)
        cuda.synchronize()

    ours, copy_s = best(run, 20), best(copy, 20)
    bandwidth = 3 * 4 * n / ours / 1e9  # read x, read y, write out
    copy_bandwidth = 2 * 4 * n / copy_s / 1e9
    numpy_s = best(lambda: np.float32(2.0) * x_host + y_host, 3)
    rows = [
        row(
            "saxpy 1e8 float32 (device arrays)", "cuda", ours, numpy_s,
            f"{bandwidth:.0f} GB/s = {bandwidth / copy_bandwidth:.0%} of copy ({copy_bandwidth:.0f} GB/s)",
        )
    ]  # fmt: skip
    size = 4096
    re, im = np.linspace(-2.0, 0.6, size), np.linspace(-1.3, 1.3, size)[:, None]
    mandel = compiled(
        "escape_time", "cuda", lambda: gpu_kernel(device="cuda")(escape_time), lambda k: k(re[:8], im[:8])
    )
    mandel_cpu = compiled(
        "escape_time", "cpu", lambda: gpu_kernel(device="cpu")(escape_time), lambda k: k(re[:8], im[:8])
    )
    numpy_s = best(lambda: numpy_mandelbrot(re, im[:, 0]), 1)
    rows.append(row(f"mandelbrot {size}^2", "cuda (incl. copy back)", best(lambda: mandel(re, im), 3), numpy_s))
    rows.append(row(f"mandelbrot {size}^2", "cpu", best(lambda: mandel_cpu(re, im), 1), numpy_s))
    return rows


def cpu_rows() -> list[str]:
    rows = []
    rng = np.random.default_rng(0)
    small = rng.random(8, dtype=np.float32)
    kernel = compiled("saxpy", "cpu", lambda: gpu_kernel(device="cpu")(saxpy), lambda k: k(2.0, small, small))
    for n in (10_000, 10_000_000):
        x = rng.random(n, dtype=np.float32)
        y = rng.random(n, dtype=np.float32)
        ours = best(lambda x=x, y=y: kernel(2.0, x, y), 7)
        numpy_s = best(lambda x=x, y=y: np.float32(2.0) * x + y, 7)
        rows.append(row(f"saxpy {n:,} float32", "cpu (numba prange)", ours, numpy_s, "memory-bound"))
    size = 1024
    re, im = np.linspace(-2.0, 0.6, size), np.linspace(-1.3, 1.3, size)
    mandel = compiled(
        "escape_time", "cpu", lambda: gpu_kernel(device="cpu")(escape_time), lambda k: k(re[:8], im[:8, None])
    )
    ours = best(lambda: mandel(re, im[:, None]), 3)
    numpy_s = best(lambda: numpy_mandelbrot(re, im), 1)
    rows.append(row(f"mandelbrot {size}^2", "cpu (numba prange)", ours, numpy_s, "compute-bound"))
    n = 1_000
    x, y = rng.random(n), rng.random(n)
    sim = gpu_kernel(device="simulator")(saxpy)
    first = first_call(lambda: sim(2.0, x, y))
    ours = best(lambda: sim(2.0, x, y), 3)
    numpy_s = best(lambda: 2.0 * x + y, 7)
    note = f"test device, not a fallback; first call {first:.2f} s, starting the helper process"
    rows.append(row(f"saxpy {n:,} float64", "simulator (helper process)", ours, numpy_s, note))
    return rows


def main() -> None:
    status = detect.cuda_status()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = cuda_rows() if status.available else cpu_rows()
    device = status.name if status.available else f"no CUDA device ({status.reason.split('(')[0].strip()})"
    print(f"device: {device}\n")
    print("| workload | path | ours (ms) | numpy (ms) | vs numpy | note |")
    print("|---|---|---:|---:|---:|---|")
    print("\n".join(rows))
    print("\n| kernel | path | first call, cold compile (s) | first call, from disk cache (s) | ratio |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(COMPILES))


if __name__ == "__main__":
    main()
