from parallelize import parallel_for


class Stats:
    calls = 0


@parallel_for(loop=False)
def work(x):
    Stats.calls += 1  # PAR103
    return x
