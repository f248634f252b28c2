from parallelize import parallel_for


@parallel_for
def check(xs):
    found = []
    for x in xs:
        found.append(x)
    else:
        found.sort()
    return found
