from parallelize import parallel_for

RESULTS = []
record = RESULTS.append  # a bound method of a module-level list


@parallel_for
def collect(items):
    out = []
    add = out.append  # taken before the loop: calling it in the loop mutates `out`
    for x in items:
        add(x)  # PAR102: 9
    return out


@parallel_for(loop=False)
def task(x):
    record(x * x)  # PAR102: 5
    return x


@parallel_for(loop=False)
def task_with_default(x, push=RESULTS.append):
    push(x)  # PAR102: 5
    return x
