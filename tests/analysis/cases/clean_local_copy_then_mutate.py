from parallelize import parallel_for


@parallel_for(loop=False)
def extended(x):
    x = list(x)
    x.append(1)
    x.sort()
    return x
