from parallelize import parallel_for


@parallel_for(n_jobs=2)
def either(xs, fast):  # PAR205
    out = []
    if fast:
        for x in xs:
            out.append(x)
    else:
        for x in xs:
            out.append(x * 2)
    return out
