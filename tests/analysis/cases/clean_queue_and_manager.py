from multiprocessing import Manager, Pool, Queue

q = Queue()
manager = Manager()
shared = manager.dict()


def work(x):
    q.put(x)
    shared[x] = x * x


with Pool() as pool:
    pool.map(work, range(4))
