import multiprocessing as mp

import numpy as np

counter = mp.Value("i", 0)
buffer = mp.Array("d", 8)
view = np.frombuffer(buffer.get_obj())


def work(i):
    buffer[i] = i * 2.0
    view[i] += 1.0
    with counter.get_lock():
        counter.value += 1


with mp.Pool() as pool:
    pool.map(work, range(8))
