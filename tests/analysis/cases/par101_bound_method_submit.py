from concurrent.futures import ProcessPoolExecutor


class Counter:
    def __init__(self):
        self.seen = {}

    def record(self, key):
        self.seen[key] = True  # PAR101


counter = Counter()
with ProcessPoolExecutor() as ex:
    ex.submit(counter.record, "a")
