from parallelize import parallel_for


@parallel_for
def pairs(xs):
    out = []
    for x in xs:
        y = x * 2
        z = y + 1
        out.append(z)
    return out
