from functools import partial
from multiprocessing import Pool

bucket = []


def add(scale, x):
    bucket.append(scale * x)  # PAR102


with Pool() as pool:
    pool.map(partial(add, 2), range(5))
