"""Thread subclasses that write only their own attributes, shared state under a lock, and queues."""

import queue
import threading

lock = threading.Lock()
totals = {}
jobs = queue.Queue()


class Summer(threading.Thread):
    def __init__(self, numbers, results):
        super().__init__()
        self.numbers = numbers
        self.results = results  # a queue.Queue at every construction site below: it shares
        self.total = 0
        self.parts = []

    def run(self):
        for n in self.numbers:
            self.total += n  # the thread's own object: read by the parent after join()
            self.parts.append(n)
        self.results.put(self.total)
        with lock:
            totals[self.name] = self.total


class Consumer(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.inbox = queue.Queue()
        self.handled = 0

    def run(self):
        while True:
            item = self.inbox.get()
            self.handled += 1
            self.inbox.task_done()
            jobs.put(item)


out = queue.Queue()
threads = [Summer([1, 2, 3], out), Summer([4, 5], out)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print([t.total for t in threads], [t.parts for t in threads], totals)
