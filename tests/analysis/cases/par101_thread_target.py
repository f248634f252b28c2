import threading

shared = [0] * 4


def worker(i):
    shared[0] = i * i  # PAR101


threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
