from parallelize import parallel_for

LOG = []


@parallel_for
def process(items):
    for item in items:
        LOG.append(item)  # PAR102
