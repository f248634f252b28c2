from parallelize import parallel_for


@parallel_for
def tower(xs):
    acc = 2
    for x in xs:
        acc = acc ** x  # PAR303
    return acc
