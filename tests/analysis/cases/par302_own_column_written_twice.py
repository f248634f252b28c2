"""Refused: two writes of the same column: in a worker the second would read the column before the first."""
from parallelize import parallel_for


@parallel_for
def centre_then_scale(X):
    for j in range(X.shape[1]):  # PAR302
        X[:, j] = X[:, j] - X[:, j].mean()  # PAR302, PAR302
        X[:, j] = X[:, j] / X[:, j].std()  # PAR302, PAR302
    return X
