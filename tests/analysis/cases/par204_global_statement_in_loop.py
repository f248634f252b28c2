from parallelize import parallel_for

total = 0


@parallel_for
def add_all(xs):
    for x in xs:
        global total  # PAR204
        total = total + x  # PAR204
