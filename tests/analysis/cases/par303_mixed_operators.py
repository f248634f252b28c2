from parallelize import parallel_for


@parallel_for
def mix(xs):
    acc = 0
    for x in xs:
        acc += x
        acc *= 2  # PAR303
    return acc
