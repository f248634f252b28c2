from joblib import Parallel, delayed

lengths = {}
Parallel(n_jobs=4, prefer="threads")(delayed(lengths.update)({name: len(name)}) for name in ["ab", "cde"])
