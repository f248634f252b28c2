"""Refused: `col` is a view of the column; read after the write it sees the new values serially, not in a worker."""
from parallelize import parallel_for


@parallel_for
def centre_and_sum(X):
    sums = []
    for j in range(X.shape[1]):  # PAR302
        col = X[:, j]  # PAR302
        X[:, j] = col - col.mean()
        sums.append(col.sum())
    return X, sums
