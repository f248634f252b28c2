from joblib import Parallel, delayed


class Tally:
    def __init__(self):
        self.n = 0

    def update(self, x):
        return self.n + x

    def add(self, x):
        return [self.n, x]


tally = Tally()


def score(x):
    tally.update(x)
    tally.add(x)
    return x


Parallel(n_jobs=2)(delayed(score)(x) for x in [1, 2])
