"""A random generator object bound outside the iteration is shared state: every draw advances it. Process
workers draw from their own copies, so they repeat numbers the serial loop never draws; `seed=` does not help
(it seeds the global generators, not this object). Drawn directly, through a helper of this module, or passed to
a call, it is refused. Build the generator in the iteration from a per-item seed, or use `parallelize.rng()`."""
import random

import numpy as np
from sklearn.cluster import KMeans

from parallelize import parallel_for

rng = np.random.RandomState(0)
gen = np.random.default_rng(0)
stdlib_rng = random.Random(0)


def noisy(x):
    return x + rng.normal()


def noisy_gen(x):
    return x + _draw()


def _draw():
    return gen.standard_normal()  # two levels down from the loop


def jitter(x):
    return x + stdlib_rng.random()


def with_generator(x, g):
    return x + g.normal()


@parallel_for
def direct(xs):
    out = []
    for x in xs:
        out.append(x + rng.normal())  # PAR109
    return out


@parallel_for
def through_helper(xs):
    out = []
    for x in xs:
        out.append(noisy(x))  # PAR109
    return out


@parallel_for(seed=0)
def through_helpers_seeded(xs):
    out = []
    for x in xs:
        out.append(noisy_gen(x))  # PAR109
        out.append(jitter(x))  # PAR109
    return out


@parallel_for
def passed_on(xs, X):
    out = []
    local = np.random.default_rng(1)  # made before the loop: shared by its iterations
    for x in xs:
        out.append(with_generator(x, local))  # PAR109
        out.append(KMeans(n_clusters=x, random_state=local).fit(X).inertia_)  # PAR109
    return out


@parallel_for
def closure(xs):
    local = np.random.default_rng(2)

    def draw():
        return local.normal()

    out = []
    for _ in xs:
        out.append(draw())  # PAR109
    return out
