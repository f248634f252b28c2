from parallelize import parallel_for


@parallel_for
def ratio(xs):
    acc = 1.0
    for x in xs:
        acc /= x  # PAR303
    return acc
