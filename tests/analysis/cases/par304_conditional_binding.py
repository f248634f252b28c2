from parallelize import parallel_for


@parallel_for
def history(steps, keep):
    if keep:
        hist = []
    for step in steps:
        hist.append(step)  # PAR304
    return steps
