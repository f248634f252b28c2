from parallelize import parallel_for


@parallel_for(loop=False)
def summary(values):
    return sum(values), max(values), sorted(values)
