from parallelize import parallel_for


@parallel_for
def prune(keys, table):
    for key in keys:
        del table[key]  # PAR101
