"""Clean: ray copies each call's arguments; dask.delayed reads arguments when the graph runs; joblib pickles at
dispatch; Pool initargs changed before the pool starts; ProcessPoolExecutor starts workers at the first submit."""

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool

import dask
import ray
from dask import delayed
from joblib import Parallel
from joblib import delayed as jdelayed


@ray.remote
def fit(params):
    return params["depth"]


def f(x, params):
    return x * params["lr"]


def ray_loop():
    params = {"depth": 1}
    refs = []
    for params["depth"] in (2, 4):
        refs.append(fit.remote(params))
    return ray.get(refs)


def dask_straight(xs):
    params = {"lr": 0.01}
    tasks = [delayed(f)(x, params) for x in xs]
    params["lr"] = 0.1
    return dask.compute(*tasks)


def joblib_later(xs):
    params = {"lr": 0.01}
    tasks = [jdelayed(f)(x, params) for x in xs]
    params["lr"] = 0.1
    return Parallel(n_jobs=2)(tasks)


def init(table):
    return table


def pool_before(keys):
    table = [1]
    table.append(2)
    pool = Pool(2, initializer=init, initargs=(table,))
    return pool.map(len, keys)


def executor_before_first_submit(keys):
    table = [1]
    ex = ProcessPoolExecutor(initializer=init, initargs=(table,))
    table.append(2)
    return list(ex.map(len, keys))
