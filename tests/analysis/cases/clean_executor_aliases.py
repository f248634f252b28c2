"""Executors and pools reached through aliases: pure tasks, and writes that threads may make."""

import concurrent.futures as cf
import threading
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor as TPE
from multiprocessing.pool import ThreadPool as TP

import multiprocessing as mp

results = [None] * 8
counts = {}
lock = threading.Lock()


def square(x):
    return x * x


def store(i):
    results[i] = i * i  # each thread writes its own slot: fine under threads (PAR101 under processes)


def count(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1


def main():
    with cf.ProcessPoolExecutor() as ex:
        jobs = [ex.submit(square, i) for i in range(8)]
        total = sum(f.result() for f in cf.as_completed(jobs))
    with TPE(4) as tex:
        list(tex.map(store, range(8)))
    with futures.ThreadPoolExecutor() as fex:
        fex.submit(count, "a")
    with TP(2) as tp:
        tp.map(store, range(8))
    with mp.Pool() as pool:
        squares = pool.map(square, range(8))
    return total, squares
