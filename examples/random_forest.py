"""A random forest grown one tree per task, with seeded bootstrap samples: the forest is the same however many
workers grow it.

Run: python examples/random_forest.py
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from parallelize import config, parallel_for, rng

N_TREES = 48


@parallel_for(seed=7, loop=False)
def grow_tree(index: int, X, y, X_test) -> np.ndarray:
    """Fit one tree on a bootstrap sample drawn from this task's stream; return its test predictions."""
    generator = rng()  # task i's own stream: the same on any backend and for any n_jobs
    sample = generator.integers(0, len(X), len(X))
    tree = DecisionTreeClassifier(max_features="sqrt", random_state=int(generator.integers(2**31)))
    return tree.fit(X[sample], y[sample]).predict(X_test)


def vote(predictions: list[np.ndarray]) -> np.ndarray:
    """Majority vote of the trees, per test sample."""
    stacked = np.stack(predictions)
    return np.array([np.bincount(column).argmax() for column in stacked.T])


def main() -> int:
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

    started = time.perf_counter()
    with config(backend="serial"):  # the debugging switch: same code, same seeds, in this process
        serial = grow_tree.map(range(N_TREES), X_train, y_train, X_test)
    serial_s = time.perf_counter() - started

    started = time.perf_counter()
    parallel = grow_tree.map(range(N_TREES), X_train, y_train, X_test)
    parallel_s = time.perf_counter() - started

    accuracy = float((vote(parallel) == y_test).mean())
    print(f"{N_TREES} trees, test accuracy {accuracy:.4f}")
    print(f"serial {serial_s:.2f}s, parallel {parallel_s:.2f}s (the first parallel call also starts the workers)")
    same = all(np.array_equal(a, b) for a, b in zip(serial, parallel, strict=True))
    print(f"same results as serial: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
