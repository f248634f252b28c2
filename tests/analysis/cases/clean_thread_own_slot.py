import threading
from concurrent.futures import ThreadPoolExecutor

results = [None] * 4
squares = {}


def worker(i):
    results[i] = i * i


def square(key):
    squares[key] = key * key


threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
with ThreadPoolExecutor() as ex:
    list(ex.map(square, range(4)))
