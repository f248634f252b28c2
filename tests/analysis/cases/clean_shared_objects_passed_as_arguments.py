from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import Manager, Pool, Process, Queue, Value

from joblib import Parallel, delayed
from mpire import WorkerPool


def record(log, tag, n):
    log.append((tag, n))


def bump(total, guard, amount):
    with guard:
        total.value += amount


def publish(channel, item):
    channel.put(item * 2)


def remember(store, key):
    store[key] = len(key)


def tally(counts, word):
    counts[word] = len(word)


def main(words):
    manager = Manager()
    log = manager.list()
    workers = [Process(target=record, args=(log, "w", n)) for n in range(3)]
    for worker in workers:
        worker.start()
    total = Value("i", 0)
    guard = manager.Lock()
    with ProcessPoolExecutor() as executor:
        for n in range(4):
            executor.submit(bump, total, guard, amount=n)
    channel = Queue()
    with Pool() as pool:
        pool.apply_async(publish, (channel, 3))
        pool.map(partial(publish, channel), range(4))
    store = {}
    store = manager.dict()
    with WorkerPool(2, shared_objects=store) as mpool:
        mpool.map(remember, words)
    counts = manager.dict()
    Parallel(n_jobs=2)(delayed(tally)(counts, w) for w in words)
