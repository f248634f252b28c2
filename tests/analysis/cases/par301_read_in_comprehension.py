from parallelize import parallel_for


@parallel_for
def window(xs):
    out = []
    buf = []
    for x in xs:
        out.append([b for b in buf])  # PAR301
        buf = [x]
    return out
