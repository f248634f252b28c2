from parallelize import parallel_for


@parallel_for
def sizes(paths):
    out = []
    for p in paths:
        if (n := len(p)) > 3:
            out.append(n)
    return out
