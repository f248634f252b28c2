"""Task functions importable by worker processes (tests/ is on sys.path through rootdir conftest)."""

from __future__ import annotations

import os
import random
import time

import numpy as np

import parallelize


def square(x: int) -> int:
    return x * x


def add(x: int, y: int, z: int = 0) -> int:
    return x + y + z


def slow_square(x: int, delay: float = 0.01) -> int:
    time.sleep(delay)
    return x * x


def fail_on(x: int, bad: int = 3) -> int:
    if x == bad:
        raise KeyError(f"bad item {x}")
    return x


def random_draws(i: int) -> tuple[float, float, float]:
    return (float(parallelize.rng().random()), random.random(), float(np.random.random()))


def pid(_: object) -> int:
    time.sleep(0.02)
    return os.getpid()


def crash_on(x: int, bad: int = 2) -> int:
    if x == bad:
        os._exit(13)
    time.sleep(0.05)
    return x


def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def note_pid_then_sleep(seconds: float, folder: str) -> float:
    """Write this worker's pid into ``folder``, then sleep (a stuck task whose process a test can look for)."""
    with open(os.path.join(folder, f"{os.getpid()}.pid"), "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(seconds)
    return seconds


def array_sum(i: int, arr: np.ndarray) -> float:
    return float(arr[i::7].sum())


def write_into(i: int, arr: np.ndarray) -> int:
    arr[i] = -1
    return i


def load_model() -> dict[str, int]:
    return {"pid": os.getpid(), "weight": 3}


def use_model(x: int) -> tuple[int, int]:
    state = parallelize.worker_state()
    return (x * state["weight"], state["pid"])


def nested_inner_workers(_: int) -> dict[str, object]:
    """From inside a worker: what a nested call and joblib-based code would use."""
    import joblib
    from threadpoolctl import threadpool_info

    from parallelize._backends import resolve_backend

    inner = resolve_backend(None, n_jobs=None, io=False, max_concurrency=None)
    inner_explicit = resolve_backend(None, n_jobs=8, io=False, max_concurrency=None)
    inner_results = parallelize.parallel_for(square).map(range(5))
    blas = [lib["num_threads"] for lib in threadpool_info()]
    return {"inner": inner.n_workers, "inner_name": inner.name, "inner_explicit": inner_explicit.n_workers,
            "joblib": joblib.effective_n_jobs(-1), "blas": blas, "inner_results": inner_results,
            "omp": os.environ.get("OMP_NUM_THREADS")}
