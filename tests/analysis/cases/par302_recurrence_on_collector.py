from parallelize import parallel_for


@parallel_for
def fib(n, out):
    for i in range(2, n):
        out[i] = out[i - 1] + out[i - 2]  # PAR302 PAR302
    return out
