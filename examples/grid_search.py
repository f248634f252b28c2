"""A hyper-parameter grid search, one (candidate, fold) fit per task, checked against GridSearchCV.

Run: python examples/grid_search.py
"""

from __future__ import annotations

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold
from sklearn.svm import SVC

from parallelize import parallel_for

GRID = {"C": [1, 10, 100], "gamma": [1e-4, 1e-3, 1e-2]}


@parallel_for(loop=False)
def fit_and_score(task: tuple[dict, int], X, y, splits) -> float:
    """Fit one candidate on one fold's training part; return its accuracy on the fold's test part."""
    params, fold = task
    train, test = splits[fold]
    return float(SVC(**params).fit(X[train], y[train]).score(X[test], y[test]))


def main() -> int:
    X, y = load_digits(return_X_y=True)
    X, y = X[:900], y[:900]
    cv = StratifiedKFold(n_splits=4)
    splits = list(cv.split(X, y))
    candidates = list(ParameterGrid(GRID))

    started = time.perf_counter()
    search = GridSearchCV(SVC(), GRID, cv=cv, refit=False).fit(X, y)
    serial_s = time.perf_counter() - started
    serial = [[float(search.cv_results_[f"split{k}_test_score"][i]) for k in range(len(splits))]
              for i in range(len(candidates))]

    started = time.perf_counter()
    tasks = [(params, fold) for params in candidates for fold in range(len(splits))]
    scores = fit_and_score.map(tasks, X, y, splits)
    parallel = [scores[i * len(splits):(i + 1) * len(splits)] for i in range(len(candidates))]
    parallel_s = time.perf_counter() - started

    means = [sum(fold_scores) / len(fold_scores) for fold_scores in parallel]
    best = max(range(len(candidates)), key=means.__getitem__)
    print(f"{len(tasks)} fits; best {candidates[best]} with accuracy {means[best]:.4f}")
    print(f"GridSearchCV (serial) {serial_s:.2f}s, parallel {parallel_s:.2f}s")
    same = parallel == serial
    print(f"same results as serial: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
