from concurrent.futures import ThreadPoolExecutor
from functools import partial

hits = {"n": 0}


def plain(n):
    return n * 2


def counted(box, n):
    box["n"] += n  # PAR101
    return n


def run(values, count):
    task = plain
    if count:
        task = partial(counted, hits)
    with ThreadPoolExecutor() as pool:
        return list(pool.map(task, values))
