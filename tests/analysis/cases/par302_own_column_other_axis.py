"""Refused: the write is column j, the read is row j: they overlap another iteration's column."""
from parallelize import parallel_for


@parallel_for
def transpose_in_place(X):
    for j in range(X.shape[0]):  # PAR302
        X[:, j] = X[j, :] * 1.0  # PAR302
    return X
