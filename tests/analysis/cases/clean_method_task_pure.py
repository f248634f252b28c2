from joblib import Parallel, delayed


class Scorer:
    def __init__(self, k):
        self.k = k

    def score(self, x):
        local = {"x": x}
        local["k"] = self.k
        return local

    def run(self, xs):
        return Parallel(n_jobs=2)(delayed(self.score)(x) for x in xs)
