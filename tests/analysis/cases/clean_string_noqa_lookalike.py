from parallelize import parallel_for


@parallel_for
def tags(items):
    out = []
    for item in items:
        out.append("# noqa: PAR101")
    return out
