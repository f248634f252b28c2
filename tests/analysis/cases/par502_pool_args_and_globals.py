"""PAR502: pool arguments (args tuple, partial, iterable) and a global the task reads, changed before `.get()`."""

from functools import partial
from multiprocessing import Pool

LOOKUP = {"a": 1}


def work(key, weights):
    return LOOKUP.get(key, 0) * len(weights)


def run(keys):
    weights = [1.0, 2.0]
    rows = list(keys)
    with Pool(2) as pool:
        one = pool.apply_async(work, ("a", weights))
        many = pool.map_async(partial(work, weights=weights), rows)
        weights.append(3.0)  # PAR502: 9
        rows.append("b")  # PAR502: 9
        LOOKUP["b"] = 2  # PAR502: 9
        return one.get(), many.get()


def run_in_loop(keys):
    weights = []
    pending = []
    with Pool(2) as pool:
        for key in keys:
            weights.append(key)  # PAR502: 13
            pending.append(pool.apply_async(work, (key, weights)))
        return [p.get() for p in pending]
