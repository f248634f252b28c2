from statistics import mean

from parallelize import parallel_for

CACHE = {}


def square(x):
    return x * x


def total(items):
    out = []
    for x in items:
        out.append(CACHE.get(x, x))
    return out


run = parallel_for(loop=False)(square)
run_total = parallel_for(n_jobs=2)(total)
run_mean = parallel_for(mean)  # not defined in this module: not analysed
configure = parallel_for(n_jobs=2)  # not applied to anything yet
