"""Issue 12: a scikit-learn estimator whose fit draws from `random_state`, left at None, draws from numpy's global
generator; fitted in workers, each draws from its own copy (PAR602, like `np.random.*`; `seed=` accepts it). Seen
when built in the body (or by a helper of this module it calls), when the loop iterates over such estimators (a
display, or a collection of this module filled with them), and when an outer name holding one is passed to a call
(`cross_val_score` clones and fits it). Classes that draw only with an option (`SVC(probability=True)`,
`LogisticRegression(solver="saga")`, `KFold(shuffle=True)`, `LinearSVC(penalty="l1", dual=False)`) are reported
with it; a `**mapping` not known to give `random_state` counts as none."""
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.svm import SVC, LinearSVC

from parallelize import parallel_for

MODELS = {"forest": RandomForestClassifier(n_estimators=10), "svc": SVC()}
forest = RandomForestClassifier(max_depth=3)
OPTIONS = {"max_depth": 3}


@parallel_for
def built_in_the_body(X, y, sizes):
    scores = []
    for n in sizes:
        scores.append(RandomForestClassifier(n_estimators=n).fit(X, y).score(X, y))  # PAR602
    return scores


@parallel_for
def items_of_a_collection(X, y):
    scores = {}
    for name, model in MODELS.items():  # PAR602
        scores[name] = cross_val_score(model, X, y).mean()
    return scores


@parallel_for
def items_of_a_display(X, y):
    scores = []
    for model, name in ((LogisticRegression(), "lr"), (RandomForestClassifier(), "rf")):  # PAR602
        scores.append((name, cross_val_score(model, X, y).mean()))
    return scores


@parallel_for
def outer_estimator_cloned_per_setting(X, y, folds):
    scores = []
    for k in folds:
        scores.append(cross_val_score(forest, X, y, cv=k).mean())  # PAR602
    return scores


@parallel_for
def with_a_drawing_option(X, y, costs):
    scores = []
    for c in costs:
        scores.append(SVC(C=c, probability=True).fit(X, y).predict_proba(X))  # PAR602
        scores.append(LogisticRegression(C=c, solver="saga").fit(X, y).score(X, y))  # PAR602
        scores.append(cross_val_score(SVC(C=c), X, y, cv=KFold(5, shuffle=True)).mean())  # PAR602
        # liblinear's L1 coordinate descent visits the coordinates in a random order, even in the primal
        scores.append(LinearSVC(C=c, penalty="l1", dual=False).fit(X, y).score(X, y))  # PAR602
    return scores


@parallel_for
def mapping_without_random_state(X, y, sizes):
    scores = []
    for n in sizes:
        scores.append(RandomForestClassifier(n_estimators=n, **OPTIONS).fit(X, y).score(X, y))  # PAR602
    return scores


@parallel_for(seed=0)
def seeded_per_iteration(X, y, sizes):
    scores = []
    for n in sizes:
        scores.append(RandomForestClassifier(n_estimators=n).fit(X, y).score(X, y))  # seeded: accepted
    return scores


def make_forest(depth):
    return RandomForestClassifier(max_depth=depth)


@parallel_for
def built_by_a_helper(X, y, depths):
    scores = []
    for depth in depths:
        scores.append(make_forest(depth).fit(X, y).score(X, y))  # PAR602
    return scores
