from concurrent.futures import ThreadPoolExecutor


class Gauge:
    def __init__(self):
        self.level = 0

    def raise_by(self, n):
        self.level += n  # PAR103

    def lower_by(self, n):
        self.level -= n  # PAR103


def drive(steps):
    gauge = Gauge()
    with ThreadPoolExecutor(4) as pool:
        for step in steps:
            pool.submit(gauge.raise_by if step > 0 else gauge.lower_by, abs(step))
    return gauge.level
