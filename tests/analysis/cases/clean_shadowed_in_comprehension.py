from parallelize import parallel_for


@parallel_for
def pairs(xs):
    out = []
    for x in xs:
        out.append([y for y in range(x)])
        y = x
    return out
