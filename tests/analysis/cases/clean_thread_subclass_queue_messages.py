"""A Thread subclass consuming messages from a queue handed in (of unknown type here): each message is its own."""

from threading import Thread


class Monitor(Thread):
    def __init__(self, *, queue):
        super().__init__()
        self.queue = queue
        self.seen = 0

    def run(self):
        while info := self.queue.get():
            if info.pop("event") == "begin":
                self.seen += 1
        while True:
            message = self.queue.get_nowait()
            message.clear()
