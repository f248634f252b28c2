import threading
from multiprocessing import Manager

mgr = Manager()
totals = mgr.list([0, 0])
lock = threading.Lock()


def bump(i):
    totals[i % 2] += i  # PAR402


def bump_locked(i):
    with lock:
        totals[i % 2] += i


threading.Thread(target=bump, args=(1,)).start()
threading.Thread(target=bump_locked, args=(2,)).start()
