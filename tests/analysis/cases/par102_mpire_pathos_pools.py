from mpire import WorkerPool
from pathos.pools import ProcessPool

out = []


def grab(x):
    out.append(x)  # PAR102


def grab_too(x):
    out.append(-x)  # PAR102


with WorkerPool(n_jobs=2) as wp:
    wp.map(grab, range(4))
pp = ProcessPool(nodes=2)
pp.map(grab_too, range(4))
