"""Accepted: rows indexed by the loop variable at the same position (`X[j]`, `X[j, :]`), from `range(start, stop, step)`
with constant non-negative start and positive step."""
import numpy as np

from parallelize import parallel_for


@parallel_for
def rescale_rows(X):
    for j in range(1, len(X), 2):
        peak = np.max(X[j, :])
        X[j] = X[j] / peak if peak else X[j] * 0
    return X
