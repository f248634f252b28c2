"""Refused (issue 12): inputs an adversarial review wrote against the refit and owned-estimator patterns, each
confirmed silently different under `@parallel_for(backend="loky")` before the fix. A constructor argument that a fit
advances or calls back into (a generator built inline, a splitter holding one, a callback of this module), an
estimator class of this module, an object imported from another module, a setting made before the loop that the
reset does not undo, a `clone` of what may be warm or passed in, a nested key into an object a meta-estimator
keeps, `copy=False`, a fit that leaves a stale attribute, a `for ... else:`, `locals()`, and the loop's target
read after the loop."""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, LogisticRegressionCV, SGDClassifier
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from parallelize import parallel_for

SEEN = []


def log_shape(X):
    SEEN.append(X.shape)
    return X


class RunningScaler(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.n_seen_ = getattr(self, "n_seen_", 0) + len(X)
        return self

    def transform(self, X):
        return X


@parallel_for
def generator_inline(X, y, alphas):
    clf = SGDClassifier(max_iter=5, tol=None, random_state=np.random.RandomState(0))
    coefs = []
    for a in alphas:
        clf.set_params(alpha=a)  # PAR108
        clf.fit(X, y)  # PAR108
        coefs.append(clf.coef_.copy())
    return coefs


@parallel_for
def splitter_with_generator(X, y, sizes):
    clf = LogisticRegressionCV(cv=KFold(3, shuffle=True, random_state=np.random.RandomState(0)))
    scores = []
    for c in sizes:
        clf.set_params(Cs=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def callback_of_this_module(X, y, cs):
    clf = make_pipeline(FunctionTransformer(log_shape), LogisticRegression())
    scores = []
    for c in cs:
        clf.set_params(logisticregression__C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def class_of_this_module(X, y, cs):
    clf = make_pipeline(RunningScaler(), LogisticRegression())
    seen = []
    for c in cs:
        clf.set_params(logisticregression__C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        seen.append(clf[0].n_seen_)
    return seen


@parallel_for
def generator_set_before(X, y, alphas):
    rng = np.random.RandomState(0)
    clf = SGDClassifier(max_iter=5, tol=None, random_state=0)
    clf.set_params(random_state=rng)
    coefs = []
    for a in alphas:
        clf.set_params(alpha=a)  # PAR108
        clf.fit(X, y)  # PAR108
        coefs.append(clf.coef_.copy())
    return coefs


@parallel_for
def warm_set_before(X, y, rates):
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    clf.set_params(**{"warm_start": True})
    losses = []
    for lr in rates:
        clf.set_params(learning_rate_init=lr)  # PAR108
        clf.fit(X, y)  # PAR108
        losses.append(clf.loss_)
    return losses


@parallel_for
def clone_of_warm(X, y, rates):
    base = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0, warm_start=True)
    clf = clone(base)
    losses = []
    for lr in rates:
        clf.set_params(learning_rate_init=lr)  # PAR108
        clf.fit(X, y)  # PAR108
        losses.append(clf.loss_)
    return losses


@parallel_for
def clone_of_parameter(model, X, y, rates):
    clf = clone(model)
    losses = []
    for lr in rates:
        clf.set_params(learning_rate_init=lr)  # PAR108
        clf.fit(X, y)  # PAR108
        losses.append(clf.loss_)
    return losses


@parallel_for
def nested_key_into_kept(X, y, depths):
    tree = DecisionTreeClassifier(random_state=0)
    clf = BaggingClassifier(tree, n_estimators=3, random_state=0)
    scores = []
    for d in depths:
        clf.set_params(estimator__max_depth=d)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores, tree.max_depth


@parallel_for
def works_in_place(X, y, flags):
    reg = LinearRegression(copy_X=False)
    out = []
    for fi in flags:
        reg.set_params(fit_intercept=fi)  # PAR108
        reg.fit(X, y)  # PAR108
        out.append(reg.intercept_)
    return out


@parallel_for
def stale_fitted_attribute(X, y, flags):
    clf = RandomForestClassifier(n_estimators=5, random_state=0)
    oob = []
    for flag in flags:
        clf.set_params(oob_score=flag)  # PAR108
        clf.fit(X, y)  # PAR108
        oob.append(clf.oob_score_)
    return oob


@parallel_for
def for_else(X, y, cs):
    clf = SVC()
    scores = []
    for c in cs:
        clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    else:
        final = clf.predict(X[:5])
    return scores, final


@parallel_for
def namespace_read(X, y, cs):
    clf = SVC()
    scores = []
    for c in cs:
        clf.set_params(C=c)  # PAR108
        clf.fit(X, y)  # PAR108
        scores.append(clf.score(X, y))
    return scores, locals()


@parallel_for
def step_read_after(X, y):
    pipe = make_pipeline(StandardScaler(), SVC())
    scores = []
    for est in [SVC(), LogisticRegression()]:
        pipe.set_params(svc=est)  # PAR108
        pipe.fit(X, y)  # PAR108
        scores.append(pipe.score(X, y))
    return scores, est


@parallel_for
def outer_in_display(X, y, cs):
    clf = SVC()
    scores = []
    for name, est in {"a": clf, "b": SVC()}.items():
        for c in cs:
            est.set_params(C=c)  # PAR108
            est.fit(X, y)  # PAR108
            scores.append(est.score(X, y))
    return scores, clf


@parallel_for
def cloned_pipeline_given_outer_step(X, y, candidates):
    clf = clone(make_pipeline(StandardScaler(), SVC()))
    scores = []
    for model in candidates:
        clf.set_params(svc=model)  # PAR109
        clf.fit(X, y)
        scores.append(clf.score(X, y))
    return scores
