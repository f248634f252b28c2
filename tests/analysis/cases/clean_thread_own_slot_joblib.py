import numpy as np
from joblib import Parallel, delayed

a = np.zeros(10)


def fill(i):
    a[i] = i + 1.0


Parallel(n_jobs=2, require="sharedmem")(delayed(fill)(i) for i in range(10))
Parallel(n_jobs=2, prefer="threads")(delayed(fill)(i) for i in range(10))
