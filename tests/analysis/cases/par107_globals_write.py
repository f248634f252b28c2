from parallelize import parallel_for


@parallel_for
def define(names):
    for name in names:
        globals()[name] = len(name)  # PAR107
