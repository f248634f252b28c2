"""Refused (issue 12): a loop over a container of estimators that it fits, where another name or a later read can
see the fitted estimators: the container is returned, read in the loop, handed out by a comprehension, holds one
estimator twice, or is built outside an enclosing loop that comes back to it."""
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.svm import SVC

from parallelize import parallel_for


@parallel_for
def returned(X, y):
    models = [("svc", SVC()), ("svc-linear", SVC(kernel="linear"))]
    scores = {}
    for name, model in models:
        model.fit(X, y)  # PAR108
        scores[name] = model.score(X, y)
    return scores, models


@parallel_for
def read_in_the_loop(X, y):
    models = {"ridge": Ridge(), "ols": LinearRegression()}
    scores = {}
    for name, model in models.items():
        model.fit(X, y)  # PAR108
        scores[name] = (model.score(X, y), [type(m).__name__ for m in models.values()])
    return scores


@parallel_for
def handed_out_before(X, y):
    models = [("ridge", Ridge()), ("ols", LinearRegression())]
    by_name = {name: m for name, m in models}
    scores = {}
    for name, model in models:
        model.fit(X, y)  # PAR108
        scores[name] = model.score(X, y)
    return scores, by_name


@parallel_for
def one_estimator_twice(X, y):
    shared = Ridge()
    models = [("a", shared), ("b", shared)]
    scores = {}
    for name, model in models:
        model.set_params(alpha=1.0 if name == "a" else 2.0)  # PAR108
        model.fit(X, y)  # PAR108
        scores[name] = model.score(X, y)
    return scores


@parallel_for
def enclosing(datasets):
    models = [("ridge", Ridge()), ("ols", LinearRegression())]
    scores = []
    for X, y in datasets:
        for name, model in models:
            model.fit(X, y)  # PAR108
            scores.append((name, model.score(X, y)))
    return scores
