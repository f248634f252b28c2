from joblib import Parallel, delayed

latest = {}
Parallel(n_jobs=4, prefer="threads")(delayed(latest.update)({"last": n}) for n in range(8))  # PAR102
Parallel(n_jobs=4)(delayed(latest.update)({n: n * n}) for n in range(8))  # PAR102
