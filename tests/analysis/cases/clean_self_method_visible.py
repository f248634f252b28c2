from concurrent.futures import ProcessPoolExecutor


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def check(self, x):
        if x < 0:
            raise ValueError(x)

    def work(self, x):
        self.check(x)  # a method of this module the analysis reads: it changes nothing
        return x * self.factor

    def run(self, xs):
        with ProcessPoolExecutor() as pool:
            return list(pool.map(self.work, xs))
