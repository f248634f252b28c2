import numpy as np

from parallelize import parallel_for


@parallel_for
def norm(blocks):
    out = []
    for block in blocks:
        x = np.asarray(block, dtype=float)
        x -= x.mean()
        x /= x.std() + 1e-9
        out.append(x)
    return out
