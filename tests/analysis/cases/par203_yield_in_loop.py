from parallelize import parallel_for


@parallel_for
def features(rows):
    for row in rows:
        yield row * 2  # PAR203: 9
