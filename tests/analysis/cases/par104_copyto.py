import numpy as np

from parallelize import parallel_for


@parallel_for
def copy_rows(rows, dest):
    for row in rows:
        np.copyto(dest, row)  # PAR104
