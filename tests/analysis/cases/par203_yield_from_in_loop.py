from parallelize import parallel_for


@parallel_for
def chunks(groups):
    for g in groups:
        yield from g  # PAR203: 9
