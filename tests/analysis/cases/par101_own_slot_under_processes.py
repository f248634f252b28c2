from multiprocessing import Pool

results = [None] * 4


def worker(i):
    results[i] = i * i  # PAR101


def rebound(i):
    i = i + 1
    results[i] = 0  # PAR101


with Pool() as pool:
    pool.map(worker, range(4))
    pool.map(rebound, range(4))
