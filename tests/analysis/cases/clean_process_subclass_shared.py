"""Process subclasses that report through a queue or a manager, and keep private scratch state."""

import multiprocessing
from multiprocessing import Manager, Process, Queue


class Producer(Process):
    def __init__(self, n, out):
        super().__init__()
        self.n = n
        self.out = out
        self.buffer = None

    def run(self):
        self.buffer = [i * i for i in range(self.n)]  # never read by the parent
        for value in self.buffer:
            self.out.put(value)


class Recorder(multiprocessing.Process):
    def __init__(self, key, table):
        super().__init__()
        self.key = key
        self.table = table

    def run(self):
        self.table[self.key] = len(self.key)


if __name__ == "__main__":
    q = Queue()
    manager = Manager()
    shared = manager.dict()
    procs = [Producer(3, q), Recorder("a", shared), Recorder("bb", shared)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print([q.get() for _ in range(3)], dict(shared))
