import random

from parallelize import parallel_for


@parallel_for
def bootstrap(n, data):
    means = []
    for _ in range(n):
        random.shuffle(data)  # PAR104
        means.append(sum(data[:10]))
    return means
