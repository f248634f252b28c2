from parallelize import parallel_for


@parallel_for
def fill(keys, out):
    for k in keys:
        out[k] = k * 2
    return out
