import numpy as np

from parallelize import io_bound


@io_bound(max_concurrency=8)
def sample(seed):
    np.random.seed(seed)  # PAR401
    return np.random.rand()
