from parallelize import parallel_for

SEEN = set()


def note(x):
    SEEN.add(x)
    return x


@parallel_for(loop=False)
def work(xs):
    return list(map(note, xs))  # PAR105
