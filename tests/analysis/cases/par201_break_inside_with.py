from parallelize import parallel_for


@parallel_for
def read_until(paths):
    sizes = []
    for p in paths:
        with open(p) as f:
            if not f.read(1):
                break  # PAR201
        sizes.append(p)
    return sizes
