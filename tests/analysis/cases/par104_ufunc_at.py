import numpy as np

from parallelize import parallel_for


@parallel_for
def scatter(indices, counts):
    for idx in indices:
        np.add.at(counts, idx, 1)  # PAR104
