from parallelize import parallel_for


@parallel_for
def run(items, state):
    for item in items:
        s = state
        s.last = item  # PAR103
