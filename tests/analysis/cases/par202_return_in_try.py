from parallelize import parallel_for


@parallel_for
def load(paths):
    data = []
    for p in paths:
        try:
            data.append(open(p).read())
        except OSError:
            return data  # PAR202 PAR302
    return data
