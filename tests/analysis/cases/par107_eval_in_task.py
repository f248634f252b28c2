from parallelize import parallel_for


@parallel_for(loop=False)
def evaluate(expr):
    return eval(expr)  # PAR107
