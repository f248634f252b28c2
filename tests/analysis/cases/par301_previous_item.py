from parallelize import parallel_for


@parallel_for
def deltas(series):
    out = []
    prev = None
    for x in series:
        if prev is not None:  # PAR301
            out.append(x - prev)  # PAR301
        prev = x
    return out
