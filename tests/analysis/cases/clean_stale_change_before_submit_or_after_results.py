"""Clean: the change comes before the submission, or after the results were gathered."""

from concurrent.futures import ProcessPoolExecutor, wait
from multiprocessing import Pool

THRESHOLD = 0.1


def score(x, cfg):
    return x > THRESHOLD * cfg["scale"]


def before(xs):
    global THRESHOLD
    cfg = {"scale": 1}
    cfg["scale"] = 2
    THRESHOLD = 0.5
    with ProcessPoolExecutor() as ex:
        futures = [ex.submit(score, x, cfg) for x in xs]
        return [f.result() for f in futures]


def after(xs):
    global THRESHOLD
    cfg = {"scale": 1}
    with ProcessPoolExecutor() as ex:
        futures = [ex.submit(score, x, cfg) for x in xs]
        wait(futures)
        cfg["scale"] = 2
        THRESHOLD = 0.5
        again = [ex.submit(score, x, cfg) for x in xs]
        return [f.result() for f in again]


def after_get(xs):
    cfg = {"scale": 1}
    with Pool(2) as pool:
        pending = pool.map_async(score, xs)
        values = pending.get()
        cfg["scale"] = values[0]
        return pool.map(score, xs)


def never_used(xs):
    cfg = {"scale": 1}
    ex = ProcessPoolExecutor()
    ex.submit(score, xs[0], cfg)
    cfg["scale"] = 3
