"""Task functions for the Dask tests, importable by worker processes (tests/dask is on their sys.path)."""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any

import numpy as np

from parallelize import parallel_for

_calls = {"n": 0}
_lock = threading.Lock()


def where(x: int, delay: float = 0.0) -> tuple[int, int]:
    """Return (x, pid of the worker process that ran it)."""
    time.sleep(delay)
    return (x, os.getpid())


def unseeded_draw(_: int) -> float:
    return random.random()


def array_identity(i: int, arr: np.ndarray) -> tuple[int, int, int, float]:
    """Which worker, which decoded copy of the broadcast array, and a value computed from it."""
    return (os.getpid(), id(arr), i, float(arr[i]))


def write_into(i: int, arr: np.ndarray) -> int:
    arr[i] = -1
    return i


def flaky(x: int, fail_first: int = 1) -> tuple[int, int]:
    """Fail the first ``fail_first`` calls in each worker process, then succeed; return (x, attempts seen)."""
    with _lock:
        _calls["n"] += 1
        seen = _calls["n"]
    if seen <= fail_first:
        raise ConnectionError(f"flaky failure {seen}")
    return (x, seen)


def always_exit(x: int) -> int:
    os._exit(3)


@parallel_for(loop=False)
def inner_square(x: int) -> tuple[int, int, int]:
    """An inner decorated map task: (x*x, pid, thread id) so the outer task can count who ran it."""
    time.sleep(0.01)
    return (x * x, os.getpid(), threading.get_ident())


def experiment(seed: int) -> dict[str, Any]:
    """An outer task: an inner parallel map and a scikit-learn estimator with n_jobs=-1, counted from inside."""
    import warnings

    import joblib
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from threadpoolctl import threadpool_info

    from parallelize._backends import resolve_backend
    from parallelize._scheduler import budget

    inner_backend = resolve_backend(None, n_jobs=None, io=False, max_concurrency=None)
    inner = inner_square.map(range(8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "daemonic worker: n_jobs=1" fallback from joblib
        X, y = make_classification(n_samples=200, n_features=8, random_state=seed)
        model = RandomForestClassifier(n_estimators=8, n_jobs=-1, random_state=seed).fit(X, y)
        sklearn_jobs = joblib.effective_n_jobs(-1)
        with joblib.parallel_config(backend="threading"):
            threading_jobs = joblib.effective_n_jobs(-1)
    blas = [int(info["num_threads"]) for info in threadpool_info()]
    return {
        "budget": budget.current_budget(),
        "inner_workers": inner_backend.n_workers,
        "inner_threads": len({(pid, tid) for _, pid, tid in inner}),
        "inner_results": [v for v, _, _ in inner],
        "joblib_n_jobs": sklearn_jobs,
        "joblib_threading_n_jobs": threading_jobs,
        "blas_threads": max(blas, default=1),
        "score": float(model.score(X, y)),
        "pid": os.getpid(),
    }


def sleep_then(x: float) -> float:
    time.sleep(x)
    return x


def interrupt_on(x: int, bad: int = 1) -> int:
    if x == bad:
        raise KeyboardInterrupt
    return x
