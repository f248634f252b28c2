"""Refused (issue 12): inputs an adversarial review wrote against the listed-callee, keyed-store, owned-estimator
and `catch_warnings` patterns. A listed name shadowed by a `def` of this module, a listed function that works in
place, listed functions and classes that draw from the global generator (PAR602), scikit-learn's unseeded
dataset generators and splits (PAR602), an owned pipeline given an outer step by a method or a helper, a store
before the loop that makes an element an alias of an outer array, a filter set by a lambda that runs after the
`catch_warnings` block, and a `warnings` attribute replaced in the loop (PAR603)."""
import warnings
from collections import defaultdict

import numpy as np
from numpy.random import choice, permutation
from sklearn.datasets import make_blobs, make_moons
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler, normalize, scale

from parallelize import parallel_for


def roc_auc_score(y, p):  # shadows the import: the loop below calls this one
    p.sort()
    return 0.5


@parallel_for
def shadowed(y, p):
    out = []
    for metric in [log_loss, roc_auc_score]:
        out.append(metric(y, p))  # PAR109
    return out


@parallel_for
def in_place_listed(X):
    out = []
    for f in [normalize, scale]:
        out.append(f(X, copy=False).sum())  # PAR109
    return out


@parallel_for
def writer_listed(X):
    out = []
    for f in [np.fill_diagonal, np.copyto]:
        out.append(f(X, 0.0))  # PAR109
    return out


@parallel_for
def drawing_listed(n):
    out = []
    for draw in [permutation, choice]:
        out.append(draw(n))  # PAR602
    return out


@parallel_for
def unseeded_listed_classes(X, y):
    scores = []
    for Model in [RandomForestClassifier, ExtraTreesClassifier]:
        scores.append(Model(n_estimators=3).fit(X, y).feature_importances_[0])  # PAR602
    return scores


@parallel_for
def unseeded_datasets(noises):
    firsts = []
    for noise in noises:
        Xm, ym = make_moons(n_samples=20, noise=noise)  # PAR602
        Xb, yb = make_blobs(n_samples=10)  # PAR602
        firsts.append((Xm[0, 0], Xb[0, 0]))
    return firsts


@parallel_for
def unseeded_split(X, y, sizes):
    firsts = []
    for size in sizes:
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=size)  # PAR602
        firsts.append(X_te[0, 0])
    return firsts


@parallel_for
def owned_given_outer_step(X, y):
    final = LogisticRegression()
    models = [make_pipeline(StandardScaler()), make_pipeline(MinMaxScaler())]
    scores = []
    for m in models:
        m.steps.append(("clf", final))  # PAR109
        m.fit(X, y)
        scores.append(m.score(X, y))
    return scores


def with_final(pipe, est):
    pipe.set_params(logisticregression=est)


@parallel_for
def owned_given_outer_step_by_helper(X, y):
    final = LogisticRegression(C=2.0)
    models = [make_pipeline(StandardScaler(), LogisticRegression()),
              make_pipeline(MinMaxScaler(), LogisticRegression())]
    scores = []
    for m in models:
        with_final(m, final)  # PAR109
        m.fit(X, y)
        scores.append(m.score(X, y))
    return scores


@parallel_for
def element_aliased_by_store(n):
    train_err = np.zeros(n)
    errors = {}
    errors["train"] = train_err
    for i in range(n):
        errors["train"][i] = i + 1  # PAR101
    return train_err


@parallel_for
def filter_run_after_block(n):
    out = []
    for k in range(n):
        with warnings.catch_warnings():
            silence = lambda: warnings.simplefilter("error")  # PAR603
        silence()
        out.append(k)
    return out


def show(message, *args, **kwargs):
    pass


@parallel_for
def warnings_attribute_replaced(n):
    out = defaultdict(list)
    for k in range(n):
        with warnings.catch_warnings():
            warnings.showwarning = show  # PAR603
            warnings.warn(f"w{k}")
        out["k"].append(k)
    return out
