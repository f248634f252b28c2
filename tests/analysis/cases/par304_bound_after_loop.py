from parallelize import parallel_for


@parallel_for
def late(xs):
    for x in xs:
        total += x  # PAR304
    total = 0
    return total
