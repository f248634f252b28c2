from parallelize import parallel_for


@parallel_for
def cumulative(xs):
    total = 0
    running = []
    for x in xs:
        total += x
        running.append(total)  # PAR302
    return running
