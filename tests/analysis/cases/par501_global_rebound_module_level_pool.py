"""PAR501: at module level, a global rebound between `apply_async` and `.get()`."""

import multiprocessing as mp

SCALE = 2


def scaled(x):
    return x * SCALE


pool = mp.Pool(4)
pending = [pool.apply_async(scaled, (x,)) for x in range(10)]
SCALE = 3  # PAR501: 1
values = [p.get() for p in pending]
