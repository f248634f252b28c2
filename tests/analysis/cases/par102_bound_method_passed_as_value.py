from concurrent.futures import ProcessPoolExecutor

from parallelize import parallel_for

seen = set()


@parallel_for
def via_map(items):
    out = []
    for x in items:
        list(map(out.append, [x]))  # PAR102: 18
    return out


@parallel_for
def as_callback(items, bar, run):
    for x in items:
        run(x, callback=bar.update)  # PAR102: 25


def work(x):
    add = seen.add  # PAR102: 11
    add(x)
    return x


with ProcessPoolExecutor() as pool:
    list(pool.map(work, range(4)))
