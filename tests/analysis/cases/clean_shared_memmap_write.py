from concurrent.futures import ProcessPoolExecutor

import numpy as np

out = np.memmap("out.dat", dtype="float64", mode="w+", shape=(100,))


def fill(i):
    out[i] = i**2
    out.flush()


with ProcessPoolExecutor() as ex:
    list(ex.map(fill, range(100)))
