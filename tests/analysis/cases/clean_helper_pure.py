from parallelize import parallel_for


def scale(v, factor):
    return [x * factor for x in v]


@parallel_for
def run(rows, factor):
    out = []
    for row in rows:
        out.append(scale(row, factor))
    return out
