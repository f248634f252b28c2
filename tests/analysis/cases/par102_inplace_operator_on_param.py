from parallelize import parallel_for


@parallel_for(loop=False)
def scale(arr, factor):
    arr *= factor  # PAR102
    return arr
