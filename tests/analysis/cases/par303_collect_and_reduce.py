from parallelize import parallel_for


@parallel_for
def both(xs):
    acc = []
    for x in xs:
        acc.append(x)
        acc += [x]  # PAR303
    return acc
