import multiprocessing as mp

RESULTS = []
CACHE = {}
processed = 0


class Worker(mp.Process):
    def __init__(self, items):
        super().__init__()
        self.items = items

    def run(self):
        global processed
        for item in self.items:
            RESULTS.append(item)  # PAR102
            CACHE[item] = item ** 2  # PAR101
            processed += 1  # PAR204


if __name__ == "__main__":
    w = Worker([1, 2, 3])
    w.start()
    w.join()
    print(RESULTS, CACHE, processed)
