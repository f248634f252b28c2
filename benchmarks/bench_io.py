"""I/O benchmark: ``@io_bound`` against ThreadPoolExecutor, multiprocessing's ThreadPool, joblib's threading
backend and mpire's threads, in one run.

Workload (issue 6, "Performance"): 1,000 tasks that each sleep 20 ms (a stand-in for a network round trip) on 64
threads. The floor is ``ceil(1000 / 64) * 20 ms`` of sleeping, 0.32 s (0.3125 s of pure sleep, 1000 * 20 ms / 64);
the target is parallelize within 15% of it. Serial runs once (20 s); the others are warm and repeated, and the
median is reported. Outputs are checked equal to the serial ones.

Run: python benchmarks/bench_io.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.pool import ThreadPool
from pathlib import Path
from typing import Any

THREADS = 64
SLEEP_S = 0.02
PEERS = ("ThreadPoolExecutor", "multiprocessing ThreadPool", "joblib threading", "mpire threads")


def fetch(i: int) -> int:
    """A fake request: wait ``SLEEP_S``, return something that depends on the input."""
    time.sleep(SLEEP_S)
    return i * 3 + 1


def runners(items: list[int]) -> tuple[dict[str, Callable[[], list[Any]]], Callable[[], None]]:
    """One zero-argument callable per library, and a function that closes their pools."""
    from joblib import Parallel, delayed
    from mpire import WorkerPool

    from parallelize import io_bound

    executor = ThreadPoolExecutor(max_workers=THREADS)
    thread_pool = ThreadPool(THREADS)
    mpire_pool = WorkerPool(n_jobs=THREADS, start_method="threading", keep_alive=True)
    parallel = Parallel(n_jobs=THREADS, prefer="threads")
    fetch_io = io_bound(max_concurrency=THREADS)(fetch)

    def close() -> None:
        executor.shutdown()
        thread_pool.terminate()
        mpire_pool.terminate()

    table: dict[str, Callable[[], list[Any]]] = {
        "serial": lambda: [fetch(i) for i in items],
        "ThreadPoolExecutor": lambda: list(executor.map(fetch, items)),
        "multiprocessing ThreadPool": lambda: thread_pool.map(fetch, items, chunksize=1),
        "joblib threading": lambda: parallel(delayed(fetch)(i) for i in items),
        "mpire threads": lambda: mpire_pool.map(fetch, items, chunk_size=1),
        "parallelize": lambda: fetch_io.map(items),
    }
    return table, close


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 tasks instead of 1,000")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per library (median reported)")
    parser.add_argument("--plot", metavar="PATH", default=None,
                        help="also write the table as a PNG bar chart (benchmarks/plot_tables.py)")
    options = parser.parse_args(argv)
    n_tasks = 200 if options.quick else 1000
    repeats = options.repeats or (3 if options.quick else 5)
    items = list(range(n_tasks))
    floor = n_tasks * SLEEP_S / THREADS
    print(f"# bench_io: {n_tasks} tasks of {SLEEP_S * 1e3:.0f} ms sleep on {THREADS} threads, "
          f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}, "
          f"median of {repeats}; floor {floor:.4f} s\n")
    table, close = runners(items)
    times: dict[str, list[float]] = {}
    outputs: dict[str, list[Any]] = {}
    try:
        for name, run in table.items():
            outputs[name] = run() if name != "serial" else []  # warm-up (serial: no pool to warm)
        for name, run in table.items():
            for _ in range(1 if name == "serial" else repeats):
                started = time.perf_counter()
                outputs[name] = run()
                times.setdefault(name, []).append(time.perf_counter() - started)
    finally:
        close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    best_name = min(PEERS, key=medians.__getitem__)
    lines = [f"### {n_tasks:,} tasks of a {SLEEP_S * 1e3:.0f} ms sleep on {THREADS} threads", "",
             f"| library | median (s) | vs serial | vs best peer ({best_name}) | vs floor ({floor:.4f} s) |",
             "|---|---:|---:|---:|---:|"]
    for name, median in medians.items():
        lines.append(f"| {name} | {median:.3f} | {medians['serial'] / median:.1f}x | "
                     f"{median / medians[best_name]:.2f} | {median / floor:.2f} |")
    print("\n".join(lines))
    print("\n`vs serial`: serial time / library time. `vs best peer` and `vs floor`: library time / that time "
          "(lower is better; 1.00 = as fast).")
    reference = outputs["serial"]
    bad = [name for name, output in outputs.items() if output != reference]
    print("outputs equal across libraries: " + ("yes" if not bad else f"NO ({', '.join(bad)})"))
    if options.plot:
        from plot_tables import parse, plot

        plot(parse("\n".join(lines)), Path(options.plot))
        print(f"wrote {options.plot}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
