import multiprocessing
from multiprocessing import Process


class Squarer(multiprocessing.Process):
    def __init__(self, n):
        super().__init__()
        self.n = n
        self.result = None
        self.scratch = None

    def run(self):
        self.scratch = list(range(self.n))  # the parent never reads it: the child's own business
        self.result = self.n * self.n  # PAR103


class Collector(Process):
    def __init__(self, items):
        super().__init__()
        self.items = items
        self.rows = []

    def run(self):
        for item in self.items:
            self.rows.append(item * 2)  # PAR102

    def total(self):
        return sum(self.rows)


class Base(Process):
    pass


class Flagger(Base):
    def run(self):
        self.done = True  # PAR103


if __name__ == "__main__":
    s, c, f = Squarer(4), Collector([1, 2]), Flagger()
    for p in (s, c, f):
        p.start()
        p.join()
    print(s.result, c.total(), f.done)
