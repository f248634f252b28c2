"""A Mandelbrot image with @gpu_kernel (one thread per pixel, broadcasting a row and a column), timed vs numpy.

python examples/gpu/mandelbrot.py --device cpu --size 1024 [--save mandelbrot.npy]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from parallelize._decorators.gpu_kernel import gpu_kernel

MAX_ITER = 100


def escape_time(cr, ci):
    zr = 0.0
    zi = 0.0
    for n in range(MAX_ITER):
        if zr * zr + zi * zi > 4.0:
            return n
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
    return MAX_ITER


def numpy_mandelbrot(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    """The vectorised numpy version: every pixel iterates until all escape (masked updates)."""
    c = re[None, :] + 1j * im[:, None]
    z = np.zeros_like(c)
    counts = np.full(c.shape, MAX_ITER, dtype=np.int64)
    alive = np.ones(c.shape, dtype=bool)
    for n in range(MAX_ITER):
        escaped = alive & (z.real * z.real + z.imag * z.imag > 4.0)
        counts[escaped] = n
        alive &= ~escaped
        z[alive] = z[alive] * z[alive] + c[alive]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu", "simulator"])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--save", help="write the counts as .npy")
    args = parser.parse_args()
    kernel = gpu_kernel(device=args.device)(escape_time)
    re = np.linspace(-2.0, 0.6, args.size)
    im = np.linspace(-1.3, 1.3, args.size)
    kernel(re[:4], im[:4, None])  # compile
    started = time.perf_counter()
    image = kernel(re, im[:, None])
    ours = time.perf_counter() - started
    started = time.perf_counter()
    expected = numpy_mandelbrot(re, im)
    numpy_s = time.perf_counter() - started
    agree = float(np.mean(image == expected))
    print(f"mandelbrot {args.size}x{args.size}, device={args.device}: {ours * 1e3:.1f} ms")
    print(f"numpy: {numpy_s * 1e3:.1f} ms -> {numpy_s / ours:.1f}x numpy; pixels equal: {agree:.2%}")
    if args.save:
        np.save(args.save, image)


if __name__ == "__main__":
    main()
