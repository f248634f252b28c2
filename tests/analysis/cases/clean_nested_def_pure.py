from parallelize import parallel_for


@parallel_for
def transform(xs):
    out = []

    def double(v):
        return v * 2

    for x in xs:
        out.append(double(x))
    return out
