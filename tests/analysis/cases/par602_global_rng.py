import random

import numpy as np

from parallelize import parallel_for


@parallel_for
def simulate(n):
    out = []
    for _ in range(n):
        out.append(np.random.normal(size=10).mean())  # PAR602
        out.append(random.random())  # PAR602
    return out


@parallel_for(seed=0)
def simulate_seeded(n):
    out = []
    for _ in range(n):
        out.append(np.random.normal(size=10).mean())  # seeded per iteration: accepted
    return out


@parallel_for
def unseeded_estimators(settings, make):
    out = []
    for c in settings:
        out.append(make(C=c, random_state=None))  # PAR602
    return out


@parallel_for
def own_generator(n):
    out = []
    for i in range(n):
        rng = np.random.default_rng(i)
        out.append(rng.normal())
    return out
