import threading
from concurrent.futures import ThreadPoolExecutor

lock = threading.RLock()
ready = threading.Condition()
total = 0
hits = 0


def work(x):
    global total, hits
    lock.acquire()
    try:
        total += x
    finally:
        lock.release()
    with ready:
        hits += 1


with ThreadPoolExecutor() as ex:
    list(ex.map(work, range(3)))
