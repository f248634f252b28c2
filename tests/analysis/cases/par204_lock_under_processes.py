import threading
from multiprocessing import Pool

lock = threading.Lock()
count = 0


def bump(x):
    global count
    with lock:
        count += x  # PAR204


with Pool() as pool:
    pool.map(bump, range(4))
