"""Clean: under threads the task shares the caller's objects (a race at worst, not a stale copy)."""

from concurrent.futures import ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

LIMIT = 3


def fetch(url, opts):
    return url, opts["retries"], LIMIT


def init(table):
    return table


def run(urls):
    global LIMIT
    opts = {"retries": 1}
    with ThreadPoolExecutor(8) as ex:
        futures = [ex.submit(fetch, u, opts) for u in urls]
        opts["retries"] = 2
        LIMIT = 5
        out = [f.result() for f in futures]
    table = []
    pool = ThreadPool(2, initializer=init, initargs=(table,))
    table.append(1)
    return out, pool.map(len, urls)
