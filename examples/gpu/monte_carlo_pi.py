"""Monte Carlo estimate of pi with @gpu_kernel, timed against numpy.

python examples/gpu/monte_carlo_pi.py --device cpu --samples 20000000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from parallelize._decorators.gpu_kernel import gpu_kernel


def inside(x, y):
    return 1.0 if x * x + y * y <= 1.0 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu", "simulator"])
    parser.add_argument("--samples", type=int, default=20_000_000)
    args = parser.parse_args()
    kernel = gpu_kernel(device=args.device, signature="float32(float32, float32)")(inside)
    rng = np.random.default_rng(0)
    x = rng.random(args.samples, dtype=np.float32)
    y = rng.random(args.samples, dtype=np.float32)
    kernel(x[:8], y[:8])  # compile
    started = time.perf_counter()
    pi = 4.0 * float(kernel(x, y).sum(dtype=np.float64)) / args.samples
    ours = time.perf_counter() - started
    started = time.perf_counter()
    pi_numpy = 4.0 * np.count_nonzero(x * x + y * y <= 1.0) / args.samples
    numpy_s = time.perf_counter() - started
    assert abs(pi - pi_numpy) < 1e-12, (pi, pi_numpy)
    print(f"pi ~ {pi:.6f} from {args.samples:,} samples, device={args.device}: {ours * 1e3:.1f} ms")
    print(f"numpy: {numpy_s * 1e3:.1f} ms -> {numpy_s / ours:.2f}x numpy")


if __name__ == "__main__":
    main()
