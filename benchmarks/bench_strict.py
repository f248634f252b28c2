"""Cost of live strict mode (issue 10): the same ``.map`` with and without ``strict=True`` on loky workers.

Under strict, each worker fingerprints, before and after every task, the module-level objects the function refers
to (followed into helpers), its closure cells, the item and the arguments, so the cost grows with the size of
that state, not with the task's length. Three shapes: a trivial task reading a small global, a 1 ms task
reading a small global, and a 1 ms task reading a module-level table of 100,000 floats. Prints a table of medians
and the strict/plain ratio.

Run: python benchmarks/bench_strict.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from parallelize import parallel_for

SMALL = {"scale": 2.0, "names": ["a", "b", "c"]}
TABLE = np.random.default_rng(0).standard_normal(100_000)


def trivial(x: int) -> float:
    return x * SMALL["scale"]


def one_ms(x: int) -> float:
    end = time.perf_counter() + 1e-3
    while time.perf_counter() < end:
        pass
    return x * SMALL["scale"]


def one_ms_big_table(x: int) -> float:
    end = time.perf_counter() + 1e-3
    while time.perf_counter() < end:
        pass
    return float(TABLE[x % len(TABLE)])


def _median_time(fn, items, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn.map(items)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    warnings.simplefilter("ignore")
    items = list(range(2_000))
    print(f"# bench_strict: .map over {len(items)} items, n_jobs=2, loky, median of {options.repeats}\n")
    print("| task | plain (s) | strict (s) | strict / plain |")
    print("|---|---:|---:|---:|")
    for task in (trivial, one_ms, one_ms_big_table):
        plain = parallel_for(n_jobs=2, loop=False)(task)
        strict = parallel_for(n_jobs=2, loop=False, strict=True)(task)
        assert plain.map(items) == strict.map(items) == [task(i) for i in items]  # warm-up, and the check
        plain_s = _median_time(plain, items, options.repeats)
        strict_s = _median_time(strict, items, options.repeats)
        print(f"| {task.__name__} | {plain_s:.3f} | {strict_s:.3f} | {strict_s / plain_s:.2f}x |")


if __name__ == "__main__":
    main()
