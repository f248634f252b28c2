"""Accepted: each iteration reads and rewrites only its own column `X[:, j]`; the caller assigns the columns after
every iteration has run (issue 12)."""
from parallelize import parallel_for


@parallel_for
def standardize(X):
    for j in range(X.shape[1]):
        X[:, j] = (X[:, j] - X[:, j].mean()) / X[:, j].std()
    return X
