"""A random generator made in the iteration, from a per-item seed, or `parallelize.rng()` (each iteration's own
stream) is not shared: these loops stay accepted, also when a helper of this module draws from the generator it
is given."""
import numpy as np

from parallelize import parallel_for, rng

SEED = 0


def with_generator(x, g):
    return x + g.normal()


@parallel_for
def per_item_seed(xs):
    out = []
    for i, x in enumerate(xs):
        g = np.random.default_rng(SEED + i)
        out.append(with_generator(x, g))
    return out


@parallel_for
def per_iteration_state(xs):
    out = []
    for x in xs:
        state = np.random.RandomState(x)
        out.append(state.normal() + x)
    return out


@parallel_for
def task_stream(xs):
    out = []
    for x in xs:
        out.append(with_generator(x, rng()))
    return out


@parallel_for
def closure_in_iteration(xs):
    out = []
    for i in xs:
        local = np.random.default_rng(i)

        def draw():
            return local.normal()

        out.append(draw())
    return out
