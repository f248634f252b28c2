"""Score a ridge regression for every regularisation strength (serial, legacy style)."""

import numpy as np

rng = np.random.default_rng(0)
X = rng.normal(size=(2_000, 20))
y = X @ rng.normal(size=20) + rng.normal(scale=0.5, size=2_000)


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


alphas = [0.01, 0.1, 1.0, 10.0, 100.0]
scores = {}
for alpha in alphas:
    scores[alpha] = ridge_score(alpha, X, y)

for alpha, score in sorted(scores.items()):
    print(f"alpha={alpha:<7} mse={score:.4f}")
