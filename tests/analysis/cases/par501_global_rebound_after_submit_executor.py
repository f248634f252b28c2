"""PAR501: a module global read by a process task is rebound after submit, before the results are used."""

from concurrent.futures import ProcessPoolExecutor

THRESHOLD = 0.1


def score(x):
    return x > THRESHOLD


def main(xs):
    global THRESHOLD
    with ProcessPoolExecutor() as ex:
        futures = [ex.submit(score, x) for x in xs]
        THRESHOLD = 0.5  # PAR501: 9
        return [f.result() for f in futures]
