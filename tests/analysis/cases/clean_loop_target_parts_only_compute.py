"""Loops over ``zip``/``enumerate``/displays whose parts are outer objects but that only compute: accepted."""

import numpy as np

from parallelize import parallel_for


@parallel_for
def zipped_scores(models, names, X):
    scores = []
    for name, model in zip(names, models):
        scores.append((name, model.predict(X).mean()))
    return scores


@parallel_for
def enumerated_means(arrays):
    means = []
    for i, a in enumerate(arrays):
        means.append(i * np.mean(a))
    return means


@parallel_for
def over_a_display(a, b):
    totals = []
    for x in (a, b):
        totals.append(x.sum())
    return totals


@parallel_for
def pairs_of_constants(X):
    out = []
    for name, power in [("square", 2), ("cube", 3)]:
        out.append((name, np.power(X, power)))
    return out
