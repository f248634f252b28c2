from parallelize import parallel_for


@parallel_for(loop=False)
def trimmed(values):
    local = values.copy()
    local.sort()
    local.pop()
    return local
