from parallelize import parallel_for

TOTAL = 0


@parallel_for
def accumulate(xs):
    global TOTAL
    for x in xs:
        TOTAL += x  # PAR204
