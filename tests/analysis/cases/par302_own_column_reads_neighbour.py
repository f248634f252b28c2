"""Refused: iteration j reads column j - 1, which iteration j - 1 rewrote (a loop-carried dependency)."""
from parallelize import parallel_for


@parallel_for
def smooth(X):
    for j in range(1, X.shape[1]):  # PAR302
        X[:, j] = (X[:, j] + X[:, j - 1]) / 2  # PAR302, PAR302
    return X
