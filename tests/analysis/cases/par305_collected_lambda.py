from parallelize import parallel_for


@parallel_for
def make_callbacks(xs):
    fns = []
    for x in xs:
        fns.append(lambda: x * 2)  # PAR305
    return [f() for f in fns]


@parallel_for
def defaults_bind_the_value(xs):
    fns = []
    for x in xs:
        fns.append(lambda x=x: x * 2)
    return [f() for f in fns]
