"""An outer estimator reset and refitted per iteration whose fit draws from numpy's global generator (built without
`random_state`): the reset is proved, the draws are PAR602 (`seed=` gives each iteration its own stream). A
`set_params(random_state=...)` in the reset seeds it."""
from sklearn.cluster import KMeans

from parallelize import parallel_for


@parallel_for
def inertia(datasets):
    km = KMeans(n_clusters=3, n_init=1)
    out = []
    for X in datasets:
        km.fit(X)  # PAR602
        out.append(km.inertia_)
    return out


@parallel_for(seed=0)
def inertia_seeded(datasets):
    km = KMeans(n_clusters=3, n_init=1)
    out = []
    for X in datasets:
        km.fit(X)
        out.append(km.inertia_)
    return out


@parallel_for
def inertia_per_seed(X, n_seeds):
    km = KMeans(n_clusters=3, n_init=1)
    out = []
    for seed in range(n_seeds):
        km.set_params(random_state=seed)
        km.fit(X)
        out.append(km.inertia_)
    return out
