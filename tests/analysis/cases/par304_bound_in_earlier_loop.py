from parallelize import parallel_for


@parallel_for(loop=2)
def two(xs):
    for x in xs:
        acc = []
    for x in xs:
        acc.append(x)  # PAR304
    return xs
