from somewhere import fit

from parallelize import parallel_for


@parallel_for(loop=False)
def train(x, model):
    fit(model, x)  # PAR901
    return x
