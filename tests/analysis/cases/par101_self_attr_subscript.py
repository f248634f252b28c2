from joblib import Parallel, delayed


class Model:
    def __init__(self):
        self.weights = {}

    def _fit(self, key):
        self.weights[key] = key  # PAR101

    def fit(self, keys):
        Parallel(n_jobs=2)(delayed(self._fit)(k) for k in keys)
