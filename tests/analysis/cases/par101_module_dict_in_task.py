from joblib import Parallel, delayed

CACHE = {}


def fit_one(key):
    CACHE[key] = key * 2  # PAR101
    return key


Parallel(n_jobs=2)(delayed(fit_one)(k) for k in range(8))
