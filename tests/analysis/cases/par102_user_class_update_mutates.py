from joblib import Parallel, delayed


class Tally:
    def __init__(self):
        self.n = 0

    def update(self, x):
        self.n += x


tally = Tally()
counts = dict()


def score(x):
    tally.update(x)  # PAR102
    counts.update({x: 1})  # PAR102
    return x


Parallel(n_jobs=2)(delayed(score)(x) for x in [1, 2])
