from parallelize import parallel_for


@parallel_for
def squares(rows):
    out = []
    for row in rows:
        acc = []
        for v in row:
            acc.append(v * v)
        acc.sort()
        out.append(acc)
    return out
