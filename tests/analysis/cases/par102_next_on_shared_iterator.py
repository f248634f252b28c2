from parallelize import parallel_for


@parallel_for
def pair(items, ids):
    out = []
    for item in items:
        out.append((next(ids), item))  # PAR102
    return out
