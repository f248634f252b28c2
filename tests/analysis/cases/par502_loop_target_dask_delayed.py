"""PAR502: a dict changed through the `for` target while dask.delayed tasks built from it wait for compute."""

import dask
from dask import delayed


def fit(X, params):
    return params["depth"], len(X)


def search(X):
    params = {"depth": 1}
    tasks = []
    for params["depth"] in (2, 4, 8):  # PAR502: 9
        tasks.append(delayed(fit)(X, params))
    return dask.compute(*tasks)


def search_closures(X):
    opts = {"k": 0}
    jobs = []
    for opts["k"] in range(3):  # PAR502: 9
        jobs.append(delayed(lambda: fit(X, opts))())
    return dask.compute(*jobs)
