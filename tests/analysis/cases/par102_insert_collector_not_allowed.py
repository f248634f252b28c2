from parallelize import parallel_for


@parallel_for
def prepend(items):
    out = []
    for item in items:
        out.insert(0, item)  # PAR102
    return out
