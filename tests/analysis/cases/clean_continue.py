from parallelize import parallel_for


@parallel_for
def evens(xs):
    out = []
    for x in xs:
        if x % 2:
            continue
        out.append(x)
    return out
