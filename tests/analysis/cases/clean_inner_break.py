from parallelize import parallel_for


@parallel_for
def first_positive(rows):
    out = []
    for row in rows:
        hit = None
        for v in row:
            if v > 0:
                hit = v
                break
        out.append(hit)
    return out
