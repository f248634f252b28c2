"""Accepted: `RandomState(0).randn(...)` is an array the generator returned, not a generator; passing it to calls
in the loop draws nothing from a shared generator (it was once PAR109)."""
import numpy as np

from parallelize import parallel_for

X = np.random.RandomState(0).randn(60, 3)
noise = np.random.default_rng(1).normal(size=60)


@parallel_for
def shifted_means(shifts):
    out = []
    for shift in shifts:
        out.append(np.mean(X + shift) + float(np.std(noise)))
    return out
