"""Issue 12: what is not provably immutable stays a possible mutation when passed to an unknown call (PAR109): a
name bound twice or changed after its binding, a list with a mutable element, a parameter (the caller may pass
anything), and, for scikit-learn constructors, a `random_state` that is not a fixed value (a `RandomState` given
there is advanced by every fit) and the steps given to `make_pipeline`/`Pipeline`, which fit them in place; also
an outer array given to a scikit-learn function with `copy=False` (it works in place). A `**mapping` not known to
hold a fixed `random_state` may also leave it at None: PAR602."""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.model_selection import ShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize
from tracking import record

from parallelize import parallel_for

REBOUND = 3
REBOUND = [3]
CHANGED = [1.0, 2.0]
CHANGED.append(np.zeros(3))
ARRAYS = [np.zeros(3), np.ones(3)]


@parallel_for
def rebound_name(xs):
    out = []
    for x in xs:
        out.append(record(REBOUND) + x)  # PAR109
    return out


@parallel_for
def item_of_changed_list():
    out = []
    for value in CHANGED:
        out.append(record(value))  # PAR109
    return out


@parallel_for
def item_of_mutable_elements():
    out = []
    for array in ARRAYS:
        out.append(record(array))  # PAR109
    return out


@parallel_for
def parameter_given_as_random_state(X, ks, random_state):
    out = []
    for k in ks:
        out.append(KMeans(n_clusters=k, random_state=random_state).fit(X).inertia_)  # PAR109
    return out


@parallel_for
def unknown_mapping(X, sizes, options):
    out = []
    for size in sizes:
        out.append(list(ShuffleSplit(train_size=size, **options).split(X)))  # PAR602
    return out


@parallel_for
def steps_fitted_in_place(X, y, model, scalers):
    out = []
    for scaler in scalers:
        out.append(Pipeline([("scale", scaler), ("model", model)]).fit(X, y).score(X, y))  # PAR109
    return out


@parallel_for
def normalized_in_place(datasets):
    out = []
    for X in datasets:
        out.append(normalize(X, copy=False).sum())  # PAR109
    return out
