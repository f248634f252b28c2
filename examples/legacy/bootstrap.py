"""Bootstrap confidence interval of a mean (serial, legacy style, with the classic shared-state bugs)."""

import random

from joblib import Parallel, delayed

data = [random.gauss(10, 2) for _ in range(1_000)]

means = []
for trial in range(200):
    random.shuffle(data)
    sample = data[:100]
    means.append(sum(sample) / len(sample))
    if len(means) > 1 and abs(means[-1] - means[-2]) < 1e-9:
        print("converged")

results = []


def resample(seed):
    local = random.Random(seed)
    sample = [local.choice(data) for _ in range(100)]
    results.append(sum(sample) / len(sample))


Parallel(n_jobs=2)(delayed(resample)(seed) for seed in range(50))
means.sort()
print("95% interval:", means[5], means[-6], "parallel results:", len(results))
