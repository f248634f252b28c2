"""Dask benchmarks: parallelize's Dask backend against serial, hand-written ``client.map`` + ``gather``, and joblib's
Dask backend, on one 2-worker LocalCluster (processes, 1 thread each, 127.0.0.1).

Workloads (issue 5, "Performance"):

- ``64 x 50ms``: 64 pure-Python tasks of about 50 ms each (time; speed-up vs serial);
- ``overhead``: 2,000 ``x * x`` tasks; wall time per task (what dispatching costs, the work is nothing);
- ``200k trivial``: 200,000 ``x * x`` tasks (time; hand-written ``client.map`` makes one Dask task per item, so it
  is timed on 20,000 and scaled by 10, marked "estimated");
- ``broadcast``: a 400 MB float64 array broadcast to 16 tasks, each summing its slice: time and the bytes that
  crossed the loopback interface during the run (psutil counters: other traffic on ``lo`` adds noise), vs the
  array's size. "Sent once" means about one copy per worker.

Outputs are checked equal to the serial ones. Prints one table of medians.

Run: python benchmarks/bench_dask.py [--quick] [--repeats N] [--only 50ms,overhead,trivial,broadcast]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import distributed
import joblib
import numpy as np
import psutil

from parallelize import parallel_for

LIBRARIES = ("serial", "client.map", "joblib-dask", "parallelize")


# -- task functions (module level: picklable by reference) ------------------------------------------------------------
def square(x: int) -> int:
    return x * x


def spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def slice_sum(i: int, arr: np.ndarray, parts: int) -> float:
    step = len(arr) // parts
    return float(arr[i * step:(i + 1) * step].sum())


def calibrate(seconds: float) -> int:
    n = 100_000
    while True:
        started = time.perf_counter()
        spin(n)
        took = time.perf_counter() - started
        if took > 0.02:
            return int(n * seconds / took)
        n *= 2


# -- one runner per library -----------------------------------------------------------------------------------------
def run(library: str, client: Any, fn: Callable[..., Any], items: list[Any], *args: Any) -> list[Any]:
    if library == "serial":
        return [fn(x, *args) for x in items]
    if library == "client.map":
        if args:
            # What the Dask docs recommend for a large shared argument: scatter it once, pass the future.
            shared = [client.scatter(a, broadcast=True) if isinstance(a, np.ndarray) else a for a in args]
            return client.gather(client.map(fn, items, *[[a] * len(items) for a in shared], pure=False))
        return client.gather(client.map(fn, items, pure=False))
    if library == "joblib-dask":
        with joblib.parallel_config(backend="dask"):
            return joblib.Parallel()(joblib.delayed(fn)(x, *args) for x in items)
    if library == "parallelize":
        return parallel_for(backend=client, loop=False)(fn).map(items, *args)
    raise ValueError(library)


def lo_bytes() -> int:
    counters = psutil.net_io_counters(pernic=True).get("lo")
    return int(counters.bytes_sent) if counters else 0


def measure(library: str, client: Any, repeats: int, fn: Callable[..., Any], items: list[Any], *args: Any,
            expected: list[Any] | None = None) -> tuple[float, int]:
    times, sent = [], []
    for _ in range(repeats):
        before = lo_bytes()
        started = time.perf_counter()
        out = run(library, client, fn, items, *args)
        times.append(time.perf_counter() - started)
        sent.append(lo_bytes() - before)
        if expected is not None and out != expected:
            raise AssertionError(f"{library} returned a different result")
        del out
    return statistics.median(times), int(statistics.median(sent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="50ms,overhead,trivial,broadcast")
    options = parser.parse_args()
    repeats = 1 if options.quick else options.repeats
    only = set(options.only.split(","))
    warnings.simplefilter("ignore")
    load = psutil.getloadavg()

    rows: list[tuple[str, str, float, str]] = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=50,
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        for library in LIBRARIES[1:]:  # warm every path once (imports, worker caches)
            run(library, client, square, list(range(10)))

        if "50ms" in only:
            n = calibrate(0.05)
            items = [n] * (16 if options.quick else 64)
            expected = [spin(n)] * len(items)
            serial_time, _ = measure("serial", client, 1, spin, items, expected=expected)
            for library in LIBRARIES:
                took = serial_time if library == "serial" else measure(library, client, repeats, spin, items,
                                                                      expected=expected)[0]
                rows.append((f"{len(items)} x 50ms", library, took, f"{serial_time / took:.2f}x serial"))

        if "overhead" in only:
            items = list(range(2_000))
            expected = [x * x for x in items]
            for library in LIBRARIES:
                took, _ = measure(library, client, repeats, square, items, expected=expected)
                rows.append(("overhead, 2,000 tasks", library, took, f"{took / len(items) * 1e6:.1f} us/task"))

        if "trivial" in only:
            count = 20_000 if options.quick else 200_000
            items = list(range(count))
            expected = [x * x for x in items]
            hand = 0.0
            for library in LIBRARIES:
                note = ""
                if library == "client.map":
                    # One Dask task per item costs milliseconds each on a small box: time a tenth and scale it.
                    part = items[:count // 10]
                    took = 10 * measure(library, client, 1, square, part, expected=expected[:len(part)])[0]
                    hand, note = took, f"estimated: {len(part):,} tasks timed, x10"
                else:
                    took, _ = measure(library, client, 1, square, items, expected=expected)
                if library == "parallelize":
                    note = f"{hand / took:.0f}x faster than client.map"
                rows.append((f"{count:,} trivial", library, took, note))

        if "broadcast" in only:
            size = (50 if options.quick else 400) << 20
            arr = np.ones(size // 8)
            parts = 16
            expected = [slice_sum(i, arr, parts) for i in range(parts)]
            for library in LIBRARIES:
                took, sent = measure(library, client, 1, slice_sum, list(range(parts)), arr, parts,
                                     expected=expected)
                note = "in-process" if library == "serial" else f"{sent / size:.1f}x the array over loopback"
                rows.append((f"broadcast {size >> 20} MB to {parts} tasks", library, took, note))
                client.run(lambda: __import__("gc").collect())

    print(f"\nload average before: {load[0]:.1f}, after: {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} cores")
    print(f"{'workload':<30} {'library':<12} {'seconds':>9}  note")
    print("-" * 84)
    for workload, library, took, note in rows:
        print(f"{workload:<30} {library:<12} {took:>9.3f}  {note}")


if __name__ == "__main__":
    main()
