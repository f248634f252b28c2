from parallelize import parallel_for


@parallel_for
def pipeline(paths):  # PAR205
    checked = []
    for p in paths:
        checked.append(p)
    loaded = []
    for p in checked:
        loaded.append(p)
    return loaded
