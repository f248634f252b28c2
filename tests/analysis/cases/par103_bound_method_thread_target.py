import threading


class Worker:
    def __init__(self):
        self.done = 0

    def work(self):
        self.done = self.done + 1  # PAR103


w = Worker()
t = threading.Thread(target=w.work)
