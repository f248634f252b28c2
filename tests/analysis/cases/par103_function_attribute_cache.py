from parallelize import parallel_for


def helper():
    return 1


@parallel_for(loop=False)
def work(x):
    helper.cache = x  # PAR103
    return x
