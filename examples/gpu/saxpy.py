"""saxpy (a * x + y) with @gpu_kernel, timed against numpy.

python examples/gpu/saxpy.py --device cpu      # numba on the CPU; "auto" uses CUDA when present
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from parallelize._decorators.gpu_kernel import gpu_kernel


def saxpy(a, x, y):
    return a * x + y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu", "simulator"])
    parser.add_argument("--size", type=int, default=10_000_000)
    args = parser.parse_args()
    kernel = gpu_kernel(device=args.device)(saxpy)
    rng = np.random.default_rng(0)
    x = rng.random(args.size, dtype=np.float32)
    y = rng.random(args.size, dtype=np.float32)
    started = time.perf_counter()
    kernel(2.0, x, y)
    first = time.perf_counter() - started
    started = time.perf_counter()
    result = kernel(2.0, x, y)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    expected = np.float32(2.0) * x + y
    numpy_s = time.perf_counter() - started
    assert np.allclose(result, expected, rtol=1e-6)
    print(f"saxpy, {args.size:,} float32, device={args.device}: {ours * 1e3:.2f} ms (first call {first:.2f} s)")
    print(f"numpy: {numpy_s * 1e3:.2f} ms -> {numpy_s / ours:.2f}x numpy")


if __name__ == "__main__":
    main()
