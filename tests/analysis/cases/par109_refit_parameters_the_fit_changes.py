"""Refused (issue 12): what a proved reset gives the estimator must not be something its fit changes in the
caller. A random generator object as `random_state` is advanced by every fit, and a pipeline fits the steps it is
given in place; in workers both changes happen to copies. A constant, or a name iterating over constants, is fine
(`clean_refit_outer_estimator_reset_each_iteration.py`)."""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from parallelize import parallel_for

rng = np.random.RandomState(0)
CS = [0.1, 1.0]


@parallel_for
def rng_given(X, sizes):
    km = KMeans(n_init=1)
    out = []
    for k in sizes:
        km.set_params(n_clusters=k, random_state=rng)  # PAR109
        km.fit(X)
        out.append(km.inertia_)
    return out


@parallel_for
def step_given(X, y, steps):
    pipe = make_pipeline(StandardScaler(), SVC())
    out = []
    for step in steps:
        pipe.set_params(svc=step)  # PAR109
        pipe.fit(X, y)
        out.append(pipe.score(X, y))
    return out


@parallel_for
def items_rng(X, y):  # built unseeded: PAR602 does not read the seed the loop's set_params gives
    models = [("a", KMeans(n_init=1)), ("b", KMeans(n_init=2))]
    out = {}
    for name, m in models:  # PAR602
        m.set_params(random_state=rng)  # PAR109
        m.fit(X)
        out[name] = m.inertia_
    return out


@parallel_for
def seeds_given(X, seeds):
    km = KMeans(n_clusters=3, n_init=1)
    out = []
    for seed in seeds:  # the caller's seeds may be RandomState objects
        km.set_params(random_state=seed)  # PAR109
        km.fit(X)
        out.append(km.inertia_)
    return out
