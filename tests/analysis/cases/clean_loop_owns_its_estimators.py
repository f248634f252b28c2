"""Accepted (issue 12): a loop over a container of distinct fresh estimators, built before it, that nothing reads
after it but for its length or keys. Each iteration fits only its own estimator, so workers fitting copies give
what the serial loop gives (scikit-learn's plot_ensemble_oob, plot_multioutput_face_completion,
plot_sgd_early_stopping)."""
from collections import OrderedDict

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, SGDClassifier
from sklearn.neighbors import KNeighborsRegressor

from parallelize import parallel_for


@parallel_for
def oob_errors(X, y, sizes):
    ensemble_clfs = [
        ("sqrt", RandomForestClassifier(warm_start=True, oob_score=True, max_features="sqrt", random_state=1)),
        ("log2", RandomForestClassifier(warm_start=True, oob_score=True, max_features="log2", random_state=1)),
    ]
    error_rate = OrderedDict((label, []) for label, _ in ensemble_clfs)
    for label, clf in ensemble_clfs:
        for i in sizes:  # warm_start: each forest grows within its own iteration, in order
            clf.set_params(n_estimators=i)
            clf.fit(X, y)
            error_rate[label].append((i, 1 - clf.oob_score_))
    return error_rate


@parallel_for
def predictions(X_train, y_train, X_test):
    estimators = {"K-nn": KNeighborsRegressor(), "Linear regression": LinearRegression()}
    y_test_predict = dict()
    for name, estimator in estimators.items():
        estimator.fit(X_train, y_train)
        y_test_predict[name] = estimator.predict(X_test)
    return y_test_predict, len(estimators), sorted(estimators)


def fit_and_score(estimator, max_iter, X, y):
    estimator.set_params(max_iter=max_iter, random_state=0)
    estimator.fit(X, y)
    return estimator.score(X, y)


@parallel_for(seed=0)
def early_stopping(X, y, iters):
    estimator_dict = {"plain": SGDClassifier(n_iter_no_change=3), "early": SGDClassifier(early_stopping=True)}
    results = []
    for name, estimator in estimator_dict.items():
        for max_iter in iters:  # through a helper that sets parameters and fits
            results.append((name, max_iter, fit_and_score(estimator, max_iter, X, y)))
    return results
