"""Refused: `range(-1, n)` gives -1, which is the same column as n - 1."""
from parallelize import parallel_for


@parallel_for
def shift(X):
    for j in range(-1, X.shape[1] - 1):  # PAR302
        X[:, j] = X[:, j] + 1  # PAR302
    return X
