"""Everything that needs a real CUDA device, in one command, ending with the tables for docs/gpu.md.

    python benchmarks/device_suite.py          # on a machine with an NVIDIA GPU and the gpu extra installed

Steps: (1) ``pytest -m gpu`` (the real-device tests: CUDA saxpy and grid kernels against numpy and the CPU path,
device arrays, the disk cache in a new process); (2) ``benchmarks/bench_gpu.py`` (saxpy over 1e8 float32 as a share
of the device-to-device copy bandwidth measured in the same run, Mandelbrot 4096^2 against numpy and the CPU path,
first-call compile and cache-load times); (3) the compile check for the device's own architecture and sm_80/sm_90
(``parallelize info --gpu --compile-for``). Each step's output is printed as it runs; a summary table follows.

Without a usable device it stops at once with exit code 2 and the reason (nothing here can be measured on the
CPU path or the simulator: those have their own tests).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _step(title: str, command: list[str]) -> tuple[str, int, float]:
    print(f"\n=== {title}: {' '.join(command)}", flush=True)
    started = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    return title, code, time.perf_counter() - started


def main() -> int:
    from parallelize._gpu import detect

    status = detect.cuda_status()
    if not status.available:
        print(f"device_suite: no usable CUDA device: {status.reason}", file=sys.stderr)
        print("device_suite: run it on a machine with an NVIDIA GPU (pip install -e '.[dev,gpu]')", file=sys.stderr)
        return 2
    from numba import cuda

    major, minor = cuda.get_current_device().compute_capability  # type: ignore[no-untyped-call]
    archs = sorted({f"sm_{major}{minor}", "sm_80", "sm_90"})
    print(f"device: {status.name} (sm_{major}{minor}, {status.limits.multiprocessor_count} SMs)")
    steps = [
        _step("real-device tests", [sys.executable, "-m", "pytest", "-m", "gpu", "tests", "-q", "-p", "no:randomly"]),
        _step("benchmark", [sys.executable, "benchmarks/bench_gpu.py"]),
        _step(
            "compile check", [sys.executable, "-m", "parallelize", "info", "--gpu", "--compile-for", ",".join(archs)]
        ),
    ]
    print("\n| step | result | seconds |\n|---|---|---:|")
    for title, code, seconds in steps:
        print(f"| {title} | {'passed' if code == 0 else f'FAILED (exit {code})'} | {seconds:.1f} |")
    print(f"\nPaste the benchmark tables above into docs/gpu.md with the device's name ({status.name}).")
    return 0 if all(code == 0 for _, code, _ in steps) else 1


if __name__ == "__main__":
    raise SystemExit(main())
