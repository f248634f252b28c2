import dask

totals = []


@dask.delayed
def total(xs):
    totals.append(sum(xs))  # PAR102
    return sum(xs)
