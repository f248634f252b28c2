from parallelize import parallel_for


@parallel_for
def rank(groups):
    ordered = []
    for group in groups:
        ordered.append(len(group))
        ordered.sort()  # PAR102
    return ordered
