"""@gpu_kernel against numpy: CUDA when a device is present, else the CPU path and numba's simulator.

    python benchmarks/bench_gpu.py            # prints a Markdown table (run by hand; tests never time)

On a CUDA machine: saxpy over 1e8 float32 (achieved bandwidth vs the device-to-device copy measured in the same
run; target >= 80%), Mandelbrot 4096^2 (vs numpy and the CPU path) and compile times. Elsewhere: the CPU path on
smaller sizes and the simulator on 1,000 elements (it runs ~100 us per element: a test device, not a fallback).

Compile times are measured in fresh Python processes, as a process worker or the script's next run meets them:
the first call of a kernel, importing numba included, once into an empty kernel cache made for this run (a cold
compile) and once more from the disk cache that run filled.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._gpu import detect

# The Mandelbrot kernel and its numpy version are the example's own, so the benchmark times what the example shows.
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "gpu"
sys.path.insert(0, str(EXAMPLES))
from mandelbrot import escape_time, numpy_mandelbrot  # noqa: E402
from saxpy_kernel import saxpy  # noqa: E402  (a module of its own, so fresh processes can import it)


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

# A fresh process: import, decorate, time the first call (numba's import and start-up included, as a worker pays).
FIRST_CALL = """
import sys, time
started = time.perf_counter()
import numpy as np
from parallelize import gpu_kernel
from {module} import {name}
kernel = gpu_kernel(device={device!r})({name})
kernel({call})
if {device!r} == "cuda":
    from numba import cuda
    cuda.synchronize()
print(time.perf_counter() - started)
"""


def first_calls(module: str, name: str, device: str, call: str) -> None:
    """Time a kernel's first call in a fresh process twice: into an empty disk cache, then from it."""
    with tempfile.TemporaryDirectory(prefix="bench-gpu-cache-") as cache:
        env = {**os.environ, "PARALLELIZE_CACHE_DIR": cache, "NUMBA_CACHE_DIR": os.path.join(cache, "numba"),
               "PYTHONPATH": os.pathsep.join([str(EXAMPLES), str(Path(__file__).parent)])}
        script = FIRST_CALL.format(module=module, name=name, device=device, call=call)
        cold, warm = (
            float(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                 check=True).stdout.split()[-1])
            for _ in range(2)
        )
    COMPILES.append(f"| {name} | {device} | {cold:.2f} | {warm:.2f} | {cold / warm:.1f}x |")


def cuda_rows() -> list[str]:
    from numba import cuda

    n = 100_000_000
    rng = np.random.default_rng(0)
    x_host = rng.random(n, dtype=np.float32)
    y_host = rng.random(n, dtype=np.float32)
    x, y = cuda.to_device(x_host), cuda.to_device(y_host)
    kernel = gpu_kernel(device="cuda")(saxpy)
    kernel(np.float32(2.0), x, y)  # compile outside the timings
    first_calls("saxpy_kernel", "saxpy", "cuda", "np.float32(2.0), np.ones(8, np.float32), np.ones(8, np.float32)")
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
    mandel = gpu_kernel(device="cuda")(escape_time)
    mandel_cpu = gpu_kernel(device="cpu")(escape_time)
    mandel(re[:8], im[:8])  # compile outside the timings
    mandel_cpu(re[:8], im[:8])
    first_calls("mandelbrot", "escape_time", "cuda", "np.linspace(-2, 0.6, 8), np.linspace(-1.3, 1.3, 8)[:, None]")
    numpy_s = best(lambda: numpy_mandelbrot(re, im[:, 0]), 1)
    rows.append(row(f"mandelbrot {size}^2", "cuda (incl. copy back)", best(lambda: mandel(re, im), 3), numpy_s))
    rows.append(row(f"mandelbrot {size}^2", "cpu", best(lambda: mandel_cpu(re, im), 1), numpy_s))
    return rows


def cpu_rows() -> list[str]:
    rows = []
    rng = np.random.default_rng(0)
    kernel = gpu_kernel(device="cpu")(saxpy)
    kernel(2.0, rng.random(8, dtype=np.float32), rng.random(8, dtype=np.float32))  # compile outside the timings
    first_calls("saxpy_kernel", "saxpy", "cpu", "2.0, np.ones(8, np.float32), np.ones(8, np.float32)")
    for n in (10_000, 10_000_000):
        x = rng.random(n, dtype=np.float32)
        y = rng.random(n, dtype=np.float32)
        ours = best(lambda x=x, y=y: kernel(2.0, x, y), 7)
        numpy_s = best(lambda x=x, y=y: np.float32(2.0) * x + y, 7)
        rows.append(row(f"saxpy {n:,} float32", "cpu (numba prange)", ours, numpy_s, "memory-bound"))
    size = 1024
    re, im = np.linspace(-2.0, 0.6, size), np.linspace(-1.3, 1.3, size)
    mandel = gpu_kernel(device="cpu")(escape_time)
    mandel(re[:8], im[:8, None])  # compile outside the timings
    first_calls("mandelbrot", "escape_time", "cpu", "np.linspace(-2, 0.6, 8), np.linspace(-1.3, 1.3, 8)[:, None]")
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
    print("\n| kernel | path | first call in a new process, cold (s) | same, from the disk cache (s) | ratio |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(COMPILES))


if __name__ == "__main__":
    main()
