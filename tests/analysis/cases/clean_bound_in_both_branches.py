from parallelize import parallel_for


@parallel_for
def label(xs):
    out = []
    for x in xs:
        if x > 0:
            sign = 1
        else:
            sign = -1
        out.append(sign)
    return out
