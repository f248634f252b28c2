"""Memory held while a broadcast call runs (issue 10): a 400 MB array in memory, and the same array on disk.

``bench_cpu.py --only broadcast`` samples the peak of the process tree's PSS in a background thread. The sampler
reads the processes one after another, so while a file's pages move between the processes' shares it can count
them twice. This script measures a settled state instead. The workers are warmed up, and the call runs through
``imap``. The tree's PSS is read before the call and again after its first
result. At that point the workers hold what the call sent them and the other tasks are still running. The
difference is what the call added, as a ratio to the array's size (the caller's own array is in the baseline).
parallelize only: joblib's ``return_as="generator"`` with memmapped arguments printed resource-tracker errors here,
so its rows would not be comparable.

Run: python benchmarks/bench_memory.py [--mb 400]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from bench_cpu import tree_pss  # this folder: the same measure as bench_cpu's broadcast rows

PARTS = 32


def slow_slice_sum(i: int, array: np.ndarray, parts: int) -> float:
    """Each task reads pages across the whole array, then waits, so the call stays open while it is measured."""
    value = float(array[i::parts].sum())
    time.sleep(0.05)
    return value


def _parallelize(array: np.ndarray) -> Callable[[], Iterator[float]]:
    from parallelize import parallel_for

    decorated = parallel_for(n_jobs=2, loop=False, batch_size=1)(slow_slice_sum)
    return lambda: decorated.imap(range(PARTS), array, PARTS)


def added_while_running(start: Callable[[], Iterator[float]], nbytes: int) -> tuple[float, list[float]]:
    list(start())  # warm: workers started, imports done
    time.sleep(1.0)  # parallelize unmaps an idle call's arrays after 0.5 s
    before = tree_pss()
    results = start()
    first = next(results)
    during = tree_pss()
    rest = list(results)
    return (during - before) / nbytes, [first, *rest]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=400)
    options = parser.parse_args()
    array = np.random.default_rng(0).random(options.mb * 2**20 // 8)
    folder = tempfile.mkdtemp(prefix="bench-memory-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None)
    try:
        path = os.path.join(folder, "array.npy")
        np.save(path, array)
        on_disk = np.load(path, mmap_mode="r")
        float(on_disk.sum())  # mapped in the caller, as the in-memory array is resident: both in the baseline
        rows: list[tuple[str, Callable[[], Iterator[float]], Any]] = [
            ("parallelize, array in memory", _parallelize(array), array),
            ("parallelize, np.load(mmap_mode='r')", _parallelize(on_disk), on_disk),
        ]
        reference = [slow_slice_sum(i, array, PARTS) for i in range(PARTS)]
        print(f"# bench_memory: {options.mb} MB float64 array, {PARTS} tasks on 2 workers, python "
              f"{sys.version.split()[0]}\n")
        print("| library | PSS the running call added / array | results equal serial |")
        print("|---|---:|---|")
        for name, start, _ in rows:
            added, results = added_while_running(start, array.nbytes)
            print(f"| {name} | {added:.2f} | {'yes' if results == reference else 'NO'} |", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
