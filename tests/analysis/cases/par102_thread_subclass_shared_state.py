import threading
from threading import Thread

counter = 0
seen = {}


class Fetcher(threading.Thread):
    def __init__(self, urls, out):
        super().__init__()
        self.urls = urls
        self.out = out

    def run(self):
        for url in self.urls:
            self.out.append(len(url))  # PAR102


class Counter(Thread):
    def __init__(self, key):
        super().__init__()
        self.key = key

    def run(self):
        global counter
        counter += 1  # PAR204
        seen[self.key] = seen.get(self.key, 0) + 1  # PAR101


pages = []
workers = [Fetcher(["a", "bb"], pages), Counter("x"), Counter("x")]
for w in workers:
    w.start()
for w in workers:
    w.join()
print(pages, counter, seen)
