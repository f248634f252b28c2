from parallelize import parallel_for


@parallel_for(loop=False)
def record(x, sink):
    r = sink
    r.append(x)  # PAR102
