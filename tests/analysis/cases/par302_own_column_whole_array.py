"""Refused: `X.max()` reads every column, some already rewritten by earlier iterations."""
from parallelize import parallel_for


@parallel_for
def normalise_by_global_max(X):
    for j in range(X.shape[1]):  # PAR302
        X[:, j] = X[:, j] / X.max()  # PAR302, PAR302
    return X
