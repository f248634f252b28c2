from joblib import Parallel, delayed

merged = {}
Parallel(n_jobs=2)(delayed(merged.update)({k: k}) for k in range(3))  # PAR102
