from parallelize import parallel_for


@parallel_for
def smooth(xs):
    level = 0.0
    out = []
    for x in xs:
        level = 0.9 * level + 0.1 * x  # PAR301
        out.append(level)
    return out
