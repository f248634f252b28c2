from joblib import Parallel, delayed


class Cache:
    def __init__(self):
        self.store = {}

    def _put(self, key):
        self.store[key] = key

    def work(self, key):
        self._put(key)  # PAR105
        return key

    def run(self, keys):
        return Parallel(n_jobs=2)(delayed(self.work)(k) for k in keys)
