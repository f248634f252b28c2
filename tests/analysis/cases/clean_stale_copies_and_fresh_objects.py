"""Clean: each task gets a copy, the name is rebound to a new object, or a fresh object per iteration."""

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Manager, Pool


def train(fold, cfg):
    return fold, cfg["lr"]


def copies(folds):
    cfg = {"lr": 0.01}
    with ProcessPoolExecutor() as ex:
        a = ex.submit(train, 0, dict(cfg))
        b = ex.submit(train, 1, cfg.copy())
        c = ex.submit(train, 2, {**cfg})
        cfg["lr"] = 0.1
        return a.result(), b.result(), c.result()


def rebound(folds):
    cfg = {"lr": 0.01}
    with ProcessPoolExecutor() as ex:
        futures = [ex.submit(train, f, cfg) for f in folds]
        cfg = dict(cfg)
        cfg["lr"] = 0.1
        return [f.result() for f in futures]


def fresh_per_iteration(folds):
    futures = []
    with ProcessPoolExecutor() as ex:
        for fold in folds:
            cfg = {"lr": 0.01}
            cfg["fold"] = fold
            futures.append(ex.submit(train, fold, cfg))
        return [f.result() for f in futures]


def shared_proxy(folds):
    with Manager() as manager:
        cfg = manager.dict(lr=0.01)
        with Pool(2) as pool:
            pending = pool.apply_async(train, (0, cfg))
            cfg["lr"] = 0.1
            return pending.get()
