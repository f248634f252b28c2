from parallelize import parallel_for


def push(x, *, into):
    into.append(x)


@parallel_for
def gather(items, sink):
    for item in items:
        push(item, into=sink)  # PAR105
