from parallelize import parallel_for


@parallel_for
def carry(items):
    out = []
    for item in items:
        if item:
            last = item
        out.append(last)  # PAR301
    return out
