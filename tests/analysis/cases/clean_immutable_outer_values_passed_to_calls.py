"""Issue 12: an outer name bound once to an immutable value (a number, a string, a tuple of them), or a loop item
of a collection of such values (a list or tuple display, `range`, `np.logspace(-2, 2, 5)`), cannot be changed by
any call: passing it to a function the analysis does not know is no possible mutation (PAR109). scikit-learn
constructors keep what they are given: `__init__` stores its arguments and `fit` changes none of them (the API
contract its common tests check), so an outer estimator given to `GridSearchCV` or `SelfTrainingClassifier`, or an
array given as a parameter, is accepted; only `random_state` (advanced by `fit` when it is a `RandomState`) and
a `**mapping` that may hold one must be fixed values."""
from urllib.request import urlopen

import numpy as np
from scipy.stats import norm
from sklearn.linear_model import HuberRegressor
from sklearn.model_selection import GridSearchCV, ShuffleSplit
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm import SVC

from parallelize import parallel_for

N_SPLITS = 5
EPSILONS = [1.35, 1.5, 1.75]
SHUFFLE = {"test_size": 0.3, "n_splits": 10, "random_state": 1}
GAMMAS = np.logspace(-2, 2, 5)
base = SVC(probability=True, gamma=0.001, random_state=42)
URL = "https://example.org/data.csv"
RESOURCES = [(URL, "data.csv"), (URL + "?page=2", "data2.csv")]
posterior = norm(0.0, 1.0)


def unknown_scorer(value, factor):
    return value * factor


@parallel_for
def constants_to_unknown_calls(values):
    scale = 3.0
    label = "run"
    out = []
    for v in values:
        out.append((unknown_scorer(v, scale), unknown_scorer(label, N_SPLITS)))
    return out


@parallel_for
def items_of_constant_collections(X, y):
    models = []
    for epsilon in EPSILONS:
        models.append(HuberRegressor(alpha=0.0, epsilon=epsilon).fit(X, y))
    return models


@parallel_for
def items_of_numeric_ranges(X, y):
    scores = []
    for gamma in GAMMAS:
        scores.append(SVC(gamma=gamma).fit(X, y).score(X, y))
    return scores


@parallel_for
def estimators_given_to_meta_estimators(X, y, thresholds):
    scores = []
    for threshold in thresholds:
        scores.append(SelfTrainingClassifier(base, threshold=threshold).fit(X, y).score(X, y))
    return scores


@parallel_for
def seeded_mapping_unpacked(X, y, sizes):
    splits = []
    for size in sizes:
        splits.append(list(ShuffleSplit(train_size=size, **SHUFFLE).split(X, y)))
    return splits


@parallel_for
def outer_seeded_estimator_searched(X, y, grids):
    best = []
    for grid in grids:
        best.append(GridSearchCV(estimator=base, param_grid=grid, cv=N_SPLITS).fit(X, y).best_score_)
    return best


@parallel_for
def items_of_names_bound_to_constants():
    pages = []
    for url, _name in RESOURCES:
        pages.append(urlopen(url).read())
    return pages


@parallel_for
def frozen_distribution_reads(levels):
    out = []
    for level in levels:
        out.append(posterior.interval(level))
    return out
