"""Walkthrough, after: the same file with one added line, `@parallel_for` (see walkthrough.md)."""

import time

import numpy as np

from parallelize import parallel_for

rng = np.random.default_rng(0)
X = rng.normal(size=(20_000, 40))
y = X @ rng.normal(size=40) + rng.normal(scale=0.5, size=20_000)


def ridge_score(alpha, X, y, folds=5):
    """Mean squared error of ridge regression with k-fold cross-validation."""
    n = len(y)
    errors = []
    for k in range(folds):
        test = np.arange(k, n, folds)
        train = np.setdiff1d(np.arange(n), test)
        A = X[train].T @ X[train] + alpha * np.eye(X.shape[1])
        w = np.linalg.solve(A, X[train].T @ y[train])
        errors.append(float(np.mean((X[test] @ w - y[test]) ** 2)))
    return sum(errors) / folds


@parallel_for
def score_all(alphas, X, y):
    scores = {}
    for alpha in alphas:
        scores[alpha] = ridge_score(alpha, X, y)
    return scores


if __name__ == "__main__":
    alphas = [10.0 ** k for k in range(-3, 5)]
    for attempt in (1, 2):
        started = time.perf_counter()
        scores = score_all(alphas, X, y)
        print(f"call {attempt}: {time.perf_counter() - started:.2f} s")
    for alpha, score in sorted(scores.items()):
        print(f"alpha={alpha:<9} mse={score:.6f}")
