"""Refused (issue 12): an outer estimator refitted per iteration where the proof of a reset does not hold. Each
function breaks one condition: the estimator is read after the loop, kept in a list, built with `warm_start=True`
or set to it, reset only on some iterations, read before its reset, built around an outer step, read by a
closure, or read again by an enclosing loop; chained as `clf.set_params(...).fit(...)`, read after the
loop or changed again after the fit."""
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from parallelize import parallel_for


@parallel_for
def read_after(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores, clf.support_


@parallel_for
def kept(cs, X, y):
    clf = SVC()
    models = []
    for c in cs:
        clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        models.append(clf)  # one object serially, one copy per iteration in workers
    return models


@parallel_for
def warm(sizes, X, y):
    clf = SGDClassifier(warm_start=True, random_state=0)
    scores = []
    for n in sizes:
        clf.set_params(max_iter=n)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def warmed_in_loop(sizes, X, y):
    clf = SGDClassifier(random_state=0)
    scores = []
    for n in sizes:
        clf.set_params(max_iter=n, warm_start=True)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def sometimes(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        if c > 1:
            clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def read_first(cs, X, y):
    clf = SVC()
    previous = []
    for c in cs:
        previous.append(clf.get_params()["C"])
        clf.set_params(C=c)  # PAR108
    return previous


@parallel_for
def outer_step(cs, X, y):
    scaler = StandardScaler()
    clf = Pipeline([("scale", scaler), ("svc", SVC())])
    scores = []
    for c in cs:
        clf.set_params(svc__C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores, scaler


@parallel_for
def closure(cs, X, y):
    clf = SVC()
    support = lambda: clf.support_  # noqa: E731
    scores = []
    for c in cs:
        clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores, support


# The caller's estimator, refitted inside a decorated function: the caller sees the last C afterwards.
def enclosing(datasets, cs):
    clf = SVC()
    seen = []
    for X, y in datasets:
        seen.append(clf.get_params()["C"])  # the next dataset sees the last C
        fit_all(clf, cs, X, y)
    return seen


@parallel_for
def fit_all(clf, cs, X, y):
    scores = []
    for c in cs:
        clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def chained_read_after(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        clf.set_params(C=c).fit(X, y)  # PAR109
        scores.append(clf.score(X, y))
    return scores, clf.support_


@parallel_for
def chained_past_the_fit(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        clf.set_params(C=c).fit(X, y).set_params(C=1.0)  # PAR109
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def fitted_attribute_set(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        clf.fit(X, y)  # PAR108
        clf.C = c  # PAR103
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def private_attribute_set(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        clf._cache = c  # PAR103
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def another_librarys_model(cs, X, y):
    from mylib import OnlineModel  # its `fit` may go on learning from the last fit

    model = OnlineModel()
    scores = []
    for c in cs:
        model.set_params(C=c)  # PAR108
        model.fit(X, y)  # PAR108
        scores.append(model.score(X, y))
    return scores

