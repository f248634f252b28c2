"""CPU benchmarks: parallelize against serial, multiprocessing.Pool, loky, joblib and mpire, in one run.

Workloads (issue 6, "Performance"):

- ``trivial``: 200,000 tasks of ``x * x``;
- ``50ms``: 64 pure-Python tasks of about 50 ms each;
- ``matmul``: 8 BLAS-bound tasks (a 1500x1500 matrix product each), loky given one BLAS thread per worker;
- ``broadcast``: a 400 MB float64 array broadcast to 32 tasks, each summing a strided 1/32 of it (so every task reads
  pages across the whole array), with the peak memory
  of the process tree (sum of PSS, sampled in a background thread) as a ratio to the array size;
- ``first call``: the first ``map`` of 8 tasks of ~100 ms in a fresh interpreter (one subprocess per library),
  pool start-up included.

After each workload a pid check maps as many tasks again with every library and says whether any ran in the
calling process (none may: every figure must come from tasks that ran on workers).

Every library runs every workload in this one process, warm pools reused across repeats (as each library
documents), and the outputs are checked equal to the serial ones. Each peer is used the way its documentation
suggests for the job (see benchmarks/README.md). Prints a table of medians and ratios vs serial and vs the best
peer.

Run: python benchmarks/bench_cpu.py [--quick] [--repeats N] [--only trivial,50ms,matmul,broadcast,first]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

N_WORKERS = 2 if (os.cpu_count() or 1) >= 2 else 1
LIBRARIES = ("serial", "multiprocessing", "loky", "joblib", "mpire", "parallelize")
PEERS = ("multiprocessing", "loky", "joblib", "mpire")


# -- task functions (module level: picklable by reference) --------------------------------------------------------
def square(x: int) -> int:
    return x * x


def spin(n: int) -> int:
    """Pure-Python work proportional to ``n``."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


SPIN_N = 0  # set by calibrate(); read by spin_task in every process through its argument


def spin_task(i: int, n: int) -> int:
    return spin(n + i)


def pid_of(_: int) -> int:
    return os.getpid()


def matmul_task(seed: int, size: int) -> float:
    """One BLAS-bound task: a seeded size x size matrix product, reduced to a number."""
    a = np.random.default_rng(seed).standard_normal((size, size))
    return float((a @ a).trace())


def slice_sum(i: int, array: np.ndarray, parts: int) -> float:
    """Sum every ``parts``-th element from ``i``: each task reads pages across the whole array."""
    return float(array[i::parts].sum())


_GLOBAL_ARRAY: Any = None


def _set_global(array: Any) -> None:
    global _GLOBAL_ARRAY
    _GLOBAL_ARRAY = array


def slice_sum_global(i: int, parts: int) -> float:
    return slice_sum(i, _GLOBAL_ARRAY, parts)


def slice_sum_mpire(array: np.ndarray, i: int, parts: int) -> float:
    return slice_sum(i, array, parts)


# -- pools --------------------------------------------------------------------------------------------------------
class Pools:
    """Warm pools of each library, created on first use and reused across repeats."""

    def __init__(self) -> None:
        self._mp: Any = None
        self._mpire: Any = None

    def mp(self) -> Any:
        if self._mp is None:
            self._mp = multiprocessing.get_context("fork").Pool(N_WORKERS)
        return self._mp

    def loky(self) -> Any:
        from loky import get_reusable_executor

        return get_reusable_executor(max_workers=N_WORKERS)

    def mpire(self) -> Any:
        if self._mpire is None:
            from mpire import WorkerPool

            self._mpire = WorkerPool(n_jobs=N_WORKERS, keep_alive=True)
        return self._mpire

    def close(self) -> None:
        if self._mp is not None:
            self._mp.terminate()
        if self._mpire is not None:
            self._mpire.terminate()


def _chunks(n: int) -> int:
    # What multiprocessing.Pool.map picks by default: about 4 chunks per worker.
    return max(1, math.ceil(n / (4 * N_WORKERS)))


def map_runner(library: str, pools: Pools, fn: Callable[..., Any], items: list[Any],
               *args: Any) -> Callable[[], list[Any]]:
    """A zero-argument callable running ``[fn(item, *args) for item in items]`` with ``library``."""
    task = fn if not args else _Bound(fn, args)
    if library == "serial":
        return lambda: [fn(item, *args) for item in items]
    if library == "multiprocessing":
        return lambda: pools.mp().map(task, items)
    if library == "loky":
        return lambda: list(pools.loky().map(task, items, chunksize=_chunks(len(items))))
    if library == "joblib":
        from joblib import Parallel, delayed

        return lambda: Parallel(n_jobs=N_WORKERS)(delayed(fn)(item, *args) for item in items)
    if library == "mpire":
        return lambda: pools.mpire().map(task, [(item,) for item in items])
    if library == "parallelize":
        from parallelize import parallel_for

        decorated = parallel_for(n_jobs=N_WORKERS, loop=False)(fn)
        return lambda: decorated.map(items, *args)
    raise ValueError(library)


def one_at_a_time_runner(library: str, pools: Pools, fn: Callable[..., Any], items: list[Any],
                         *args: Any) -> Callable[[], list[Any]]:
    """As :func:`map_runner`, with every library sending one task per round trip (batch or chunk size 1)."""
    task = fn if not args else _Bound(fn, args)
    if library == "multiprocessing":
        return lambda: pools.mp().map(task, items, chunksize=1)
    if library == "loky":
        return lambda: list(pools.loky().map(task, items, chunksize=1))
    if library == "joblib":
        from joblib import Parallel, delayed

        return lambda: Parallel(n_jobs=N_WORKERS, batch_size=1)(delayed(fn)(item, *args) for item in items)
    if library == "mpire":
        return lambda: pools.mpire().map(task, [(item,) for item in items], chunk_size=1)
    if library == "parallelize":
        from parallelize import parallel_for

        decorated = parallel_for(n_jobs=N_WORKERS, loop=False, batch_size=1)(fn)
        return lambda: decorated.map(items, *args)
    return map_runner(library, pools, fn, items, *args)


class _Bound:
    """``fn(item, *args)`` as a picklable callable (functools.partial binds from the left)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args

    def __call__(self, item: Any) -> Any:
        return self.fn(item, *self.args)


# -- measurement --------------------------------------------------------------------------------------------------
@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    output: Any = None
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def tree_pss() -> int:
    """Sum of PSS over this process and its descendants (bytes)."""
    me = psutil.Process()
    total = 0
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            total += process.memory_full_info().pss
    return total


def shm_used() -> int:
    """Bytes in use on /dev/shm (tmpfs files are not in any PSS unless mapped)."""
    try:
        stats = os.statvfs("/dev/shm")
    except OSError:
        return 0
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


class PeakSampler:
    """Samples tree PSS and /dev/shm use in a background thread; keeps the peaks."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak_pss = 0
        self.peak_shm = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # One sampler thread writes; the caller reads after join(): no race.
        while not self._stop.is_set():
            self.peak_pss = max(self.peak_pss, tree_pss())  # noqa: PAR103
            self.peak_shm = max(self.peak_shm, shm_used())  # noqa: PAR103
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_pss = max(self.peak_pss, tree_pss())


def interleaved(runs: dict[str, Callable[[], list[Any]]], repeats: int) -> dict[str, Result]:
    """Warm every library up, then time them round-robin, so a burst of machine noise hits all of them."""
    results = {lib: Result(output=run()) for lib, run in runs.items()}
    for _ in range(repeats):
        for lib, run in runs.items():
            started = time.perf_counter()
            run()
            results[lib].times.append(time.perf_counter() - started)
    return results


# -- workloads ----------------------------------------------------------------------------------------------------
def calibrate(target_s: float) -> int:
    """Iterations of :func:`spin` that take about ``target_s`` here."""
    n = 20_000
    while True:
        started = time.perf_counter()
        spin(n)
        elapsed = time.perf_counter() - started
        if elapsed > 0.02:
            return int(n * target_s / elapsed)
        n *= 2


def workload_trivial(pools: Pools, libraries: tuple[str, ...], quick: bool, repeats: int) -> dict[str, Result]:
    items = list(range(20_000 if quick else 200_000))
    return interleaved({lib: map_runner(lib, pools, square, items) for lib in libraries}, repeats)


def workload_matmul(pools: Pools, libraries: tuple[str, ...], quick: bool, repeats: int) -> dict[str, Result]:
    """8 BLAS-bound tasks. loky's row gives each worker one BLAS thread (what parallelize gives its workers)."""
    size = 800 if quick else 1500
    items = list(range(8))
    runs = {lib: map_runner(lib, pools, matmul_task, items, size) for lib in libraries if lib != "loky"}
    if "loky" in libraries:
        from loky import get_reusable_executor

        one_thread = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")
        task = _Bound(matmul_task, (size,))
        runs["loky"] = lambda: list(get_reusable_executor(max_workers=N_WORKERS, env=one_thread).map(task, items))
    return interleaved(runs, repeats)


def tasks_on_workers(pools: Pools, libraries: tuple[str, ...], n: int) -> str:
    """The pid check: run ``n`` tasks with each library and say whether any ran in this (the calling) process."""
    here = os.getpid()
    verdicts = []
    for lib in libraries:
        if lib == "serial":
            continue
        pids = set(map_runner(lib, pools, pid_of, list(range(n)))())
        verdicts.append(f"{lib} {'all on workers' if here not in pids else 'SOME IN THE CALLER'}")
    return f"pid check, {n} tasks: " + ", ".join(verdicts)


def workload_spin(pools: Pools, libraries: tuple[str, ...], quick: bool, repeats: int) -> dict[str, Result]:
    n = calibrate(0.05)
    items = list(range(16 if quick else 64))
    return interleaved({lib: map_runner(lib, pools, spin_task, items, n) for lib in libraries}, repeats)


def workload_one_at_a_time(pools: Pools, libraries: tuple[str, ...], quick: bool,
                           repeats: int) -> dict[str, Result]:
    """Tasks of ~15 ms sent one per round trip: the per-task cost of each library's dispatch."""
    n = calibrate(0.015)
    items = list(range(32 if quick else 128))
    return interleaved({lib: one_at_a_time_runner(lib, pools, spin_task, items, n) for lib in libraries}, repeats)


def _broadcast_runner(library: str, pools: Pools, array: np.ndarray, parts: int) -> Callable[[], list[Any]]:
    items = list(range(parts))
    if library == "multiprocessing":
        # The documented way to hand a big read-only object to Pool workers: an initializer (inherited by fork).
        def run_mp() -> list[Any]:
            with multiprocessing.get_context("fork").Pool(N_WORKERS, _set_global, (array,)) as pool:
                return pool.map(functools.partial(slice_sum_global, parts=parts), items)

        return run_mp
    if library == "mpire":
        def run_mpire() -> list[Any]:
            from mpire import WorkerPool

            with WorkerPool(n_jobs=N_WORKERS, shared_objects=array) as pool:
                return pool.map(functools.partial(slice_sum_mpire, parts=parts), [(i,) for i in items])

        return run_mpire
    return map_runner(library, pools, slice_sum, items, array, parts)


def workload_broadcast(pools: Pools, libraries: tuple[str, ...], quick: bool,
                       repeats: int) -> dict[str, Result]:
    size = (40 if quick else 400) * 2**20
    parts = 32
    array = np.random.default_rng(0).random(size // 8)
    runs = {lib: _broadcast_runner(lib, pools, array, parts) for lib in libraries}
    # The same array already on disk, opened read-only (np.load(mmap_mode="r")): parallelize and joblib send the
    # file itself to the workers, so nothing is copied. The file lives on disk, not on /dev/shm.
    folder = tempfile.mkdtemp(prefix="bench-broadcast-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None)
    np.save(os.path.join(folder, "array.npy"), array)
    on_disk = np.load(os.path.join(folder, "array.npy"), mmap_mode="r")
    float(on_disk.sum())  # mapped in the caller too, as the array is: it counts in the baseline, as the array does
    for lib in ("parallelize", "joblib"):
        if lib in libraries:
            runs[f"{lib}, np.load(mmap_mode='r')"] = _broadcast_runner(lib, pools, on_disk, parts)
    try:
        return _measure_broadcast(runs, array.nbytes, repeats)
    finally:
        del on_disk
        shutil.rmtree(folder, ignore_errors=True)


def _measure_broadcast(runs: dict[str, Callable[[], list[Any]]], nbytes: int, repeats: int) -> dict[str, Result]:
    results: dict[str, Result] = {}
    for lib, run in runs.items():
        result = Result()
        peak_pss, peak_shm = 0.0, 0.0
        for _ in range(repeats):
            before_pss, before_shm = tree_pss(), shm_used()
            with PeakSampler() as sampler:
                started = time.perf_counter()
                output = run()
                result.times.append(time.perf_counter() - started)
            after_pss, after_shm = tree_pss(), shm_used()
            result.output = output
            # Parent's array (1x) + what the run added on top of the idle process tree.
            peak_pss = max(peak_pss, 1 + (sampler.peak_pss - before_pss) / nbytes)
            peak_shm = max(peak_shm, (sampler.peak_shm - before_shm) / nbytes)
            result.extra["retained"] = (after_pss - before_pss + after_shm - before_shm) / nbytes
        result.extra["peak_pss"] = peak_pss
        result.extra["peak_shm"] = peak_shm
        results[lib] = result
    return results


FIRST_CALL_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
library = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import bench_cpu as b
n = int(sys.argv[3])
items = list(range(8))
if library == "multiprocessing":
    import multiprocessing
    t1 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(b.N_WORKERS) as pool:
        out = pool.map(b._Bound(b.spin_task, (n,)), items)
elif library == "loky":
    from loky import get_reusable_executor
    t1 = time.perf_counter()
    out = list(get_reusable_executor(max_workers=b.N_WORKERS).map(b._Bound(b.spin_task, (n,)), items))
elif library == "joblib":
    from joblib import Parallel, delayed
    t1 = time.perf_counter()
    out = Parallel(n_jobs=b.N_WORKERS)(delayed(b.spin_task)(i, n) for i in items)
elif library == "mpire":
    from mpire import WorkerPool
    t1 = time.perf_counter()
    with WorkerPool(n_jobs=b.N_WORKERS) as pool:
        out = pool.map(b._Bound(b.spin_task, (n,)), [(i,) for i in items])
elif library == "parallelize":
    from parallelize import parallel_for
    f = parallel_for(n_jobs=b.N_WORKERS, loop=False)(b.spin_task)
    t1 = time.perf_counter()
    out = f.map(items, n)
else:
    t1 = time.perf_counter()
    out = [b.spin_task(i, n) for i in items]
t2 = time.perf_counter()
print(json.dumps([t2 - t1, t1 - t0, sum(out)]))
"""


def workload_first_call(libraries: tuple[str, ...], quick: bool, repeats: int) -> dict[str, Result]:
    n = calibrate(0.1)
    here = os.path.dirname(os.path.abspath(__file__))
    results: dict[str, Result] = {lib: Result() for lib in libraries}
    imports: dict[str, list[float]] = {lib: [] for lib in libraries}
    for _ in range(max(1, repeats)):
        for lib in libraries:  # interleaved, so machine noise spreads over every library
            out = subprocess.run([sys.executable, "-c", FIRST_CALL_SCRIPT, lib, here, str(n)], capture_output=True,
                                 text=True, check=True, timeout=120)
            call_s, import_s, checksum = json.loads(out.stdout.strip().splitlines()[-1])
            results[lib].times.append(call_s)
            imports[lib].append(import_s)
            results[lib].output = checksum
    for lib, result in results.items():
        result.extra["import_s"] = statistics.median(imports[lib])
    return results


# -- report -------------------------------------------------------------------------------------------------------
def table(title: str, results: dict[str, Result], extra_columns: tuple[tuple[str, str, str], ...] = ()) -> str:
    serial = results.get("serial")
    peers = [results[p].median for p in PEERS if p in results]
    best_peer = min(peers) if peers else None
    best_name = min((p for p in PEERS if p in results), key=lambda p: results[p].median) if peers else "-"
    head = f"| library | median (s) | vs serial | vs best peer ({best_name}) |"
    rule = "|---|---:|---:|---:|"
    for label, _, _ in extra_columns:
        head += f" {label} |"
        rule += "---:|"
    lines = [f"### {title}", "", head, rule]
    for lib, result in results.items():
        vs_serial = f"{serial.median / result.median:.2f}x" if serial else "-"
        vs_peer = f"{result.median / best_peer:.2f}" if best_peer else "-"
        row = f"| {lib} | {result.median:.3f} | {vs_serial} | {vs_peer} |"
        for _, key, fmt in extra_columns:
            row += f" {format(result.extra[key], fmt)} |" if key in result.extra else " - |"
        lines.append(row)
    lines.append("")
    lines.append("`vs serial`: serial time / library time (higher is better). `vs best peer`: library time / the "
                 "fastest peer's time (lower is better; 1.00 = as fast).")
    return "\n".join(lines)


def check_equal(name: str, results: dict[str, Result]) -> bool:
    reference = next(iter(results.values())).output
    bad = [lib for lib, r in results.items() if not _same(r.output, reference)]
    if bad:
        print(f"!! {name}: outputs differ from {next(iter(results))}'s for {', '.join(bad)}")
    return not bad


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" and a.shape == b.shape:
        # A BLAS product summed with one thread rounds differently from the same product on several (matmul).
        return bool(np.allclose(a, b, rtol=1e-9, atol=0.0))
    return bool(np.array_equal(a, b))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads, fewer repeats (~1 minute)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per library (median reported)")
    parser.add_argument("--only", default="trivial,50ms,batch1,matmul,broadcast,first",
                        help="comma-separated workloads")
    parser.add_argument("--libraries", default=",".join(LIBRARIES), help="comma-separated libraries")
    parser.add_argument("--plot", metavar="PATH", default=None,
                        help="also write the tables as a PNG of bar charts (benchmarks/plot_tables.py)")
    options = parser.parse_args(argv)
    repeats = options.repeats or (3 if options.quick else 5)
    libraries = tuple(options.libraries.split(","))
    only = set(options.only.split(","))
    import loky

    print(f"# bench_cpu: {N_WORKERS} workers, {os.cpu_count()} CPUs (loky usable: {loky.cpu_count()}), "
          f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}, "
          f"{'quick' if options.quick else 'full'} run, median of {repeats}\n")
    printed: list[str] = []

    def report(text: str) -> None:
        printed.append(text)
        print(text, flush=True)

    pools = Pools()
    ok = True
    try:
        if "trivial" in only:
            n = "20,000" if options.quick else "200,000"
            results = workload_trivial(pools, libraries, options.quick, repeats)
            ok &= check_equal("trivial", results)
            report(table(f"{n} trivial tasks (x*x)", results))
            print(tasks_on_workers(pools, libraries, 20_000 if options.quick else 200_000) + "\n", flush=True)
        if "50ms" in only:
            results = workload_spin(pools, libraries, options.quick, max(3, repeats - 2))
            ok &= check_equal("50ms", results)
            report(table(f"{16 if options.quick else 64} pure-Python tasks of ~50 ms", results))
            print(tasks_on_workers(pools, libraries, 16 if options.quick else 64) + "\n", flush=True)
        if "batch1" in only:
            results = workload_one_at_a_time(pools, libraries, options.quick, max(3, repeats - 2))
            ok &= check_equal("batch1", results)
            report(table(f"{32 if options.quick else 128} tasks of ~15 ms, one per round trip (batch_size=1, "
                         "chunksize=1)", results))
            print(tasks_on_workers(pools, libraries, 32 if options.quick else 128) + "\n", flush=True)
        if "matmul" in only:
            results = workload_matmul(pools, libraries, options.quick, max(3, repeats - 2))
            ok &= check_equal("matmul", results)
            report(table(f"8 matrix products of {800 if options.quick else 1500}^2 (BLAS-bound)", results))
            print(tasks_on_workers(pools, libraries, 8) + "\n", flush=True)
        if "broadcast" in only:
            results = workload_broadcast(pools, libraries, options.quick, max(2, repeats - 2))
            ok &= check_equal("broadcast", results)
            size = 40 if options.quick else 400
            columns = (("peak memory / array (PSS)", "peak_pss", ".2f"),
                       ("peak /dev/shm / array", "peak_shm", ".2f"),
                       ("retained after call / array", "retained", ".2f"))
            report(table(f"{size} MB float64 array broadcast to 32 tasks", results, columns) + "\n")
        if "first" in only:
            pools.close()
            pools = Pools()
            results = workload_first_call(libraries, options.quick, max(3, repeats - 2))
            ok &= check_equal("first", results)
            report(table("first call in a fresh process (8 tasks of ~100 ms, pool start included)", results,
                         (("import (s)", "import_s", ".3f"),)) + "\n")
    finally:
        pools.close()
    print("outputs equal across libraries: " + ("yes" if ok else "NO"))
    if options.plot:
        from plot_tables import parse, plot

        plot(parse("\n".join(printed)), Path(options.plot))
        print(f"wrote {options.plot}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
