from parallelize import parallel_for


@parallel_for(loop=False)
def define(name):
    globals().update({name: 1})  # PAR107
