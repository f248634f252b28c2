import numpy as np

from parallelize import parallel_for


@parallel_for
def normalise(blocks, out):
    for i, block in enumerate(blocks):
        np.divide(block, block.sum(), out=out[i])  # PAR104
