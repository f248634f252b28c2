"""PAR502: an argument of ProcessPoolExecutor.submit changed before the futures are read."""

from concurrent.futures import ProcessPoolExecutor, as_completed


def train(fold, cfg):
    return fold, cfg["lr"]


def run(folds):
    cfg = {"lr": 0.01}
    ex = ProcessPoolExecutor(max_workers=2)
    futures = [ex.submit(train, fold, cfg) for fold in folds]
    cfg["lr"] = 0.1  # PAR502: 5
    cfg.update(epochs=3)  # PAR502: 5
    return [f.result() for f in as_completed(futures)]
