from parallelize import parallel_for


@parallel_for
def risky(xs, load):
    try:
        cache = load()
    except OSError:
        pass
    for x in xs:
        cache[x] = x  # PAR304
    return xs
