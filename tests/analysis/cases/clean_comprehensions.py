from parallelize import parallel_for


@parallel_for
def lengths(groups):
    out = {}
    for key, group in groups.items():
        out[key] = [len(g) for g in group]
    return out
