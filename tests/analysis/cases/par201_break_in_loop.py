from parallelize import parallel_for


@parallel_for
def search(candidates):
    found = []
    for c in candidates:
        if c > 10:
            break  # PAR201
        found.append(c)
    return found
