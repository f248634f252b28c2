from parallelize import parallel_for


@parallel_for
def first_bad(paths):
    for path in paths:
        if path.endswith(".bad"):
            return path  # PAR202
    return None
