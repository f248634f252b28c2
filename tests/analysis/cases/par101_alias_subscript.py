from parallelize import parallel_for


@parallel_for
def fill(items):
    results = {}
    for item in items:
        view = results
        view[item] = item * 2  # PAR101
    return results
