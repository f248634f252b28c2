from joblib import Parallel, delayed

results = []


def work(x):
    results.append(x * x)  # PAR102


Parallel(n_jobs=4)(delayed(work)(x) for x in range(10))
