"""Issue 12: estimators given a fixed `random_state` (directly or through a `**mapping` of this module), and those
that do not draw with their settings (`SVC()`, `LogisticRegression()`, `LinearSVC(dual=False)`,
`PCA(svd_solver="full")`, `FactorAnalysis()`, whose default seed is 0), fit the same numbers in every worker."""
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.svm import SVC, LinearSVC

from parallelize import parallel_for

MODELS = {"forest": RandomForestClassifier(n_estimators=10, random_state=0), "svc": SVC(), "lr": LogisticRegression()}
SEEDED = {"max_depth": 3, "random_state": 0}
fitted = RandomForestClassifier(random_state=0)


@parallel_for
def seeded_in_the_body(X, y, sizes):
    scores = []
    for n in sizes:
        scores.append(RandomForestClassifier(n_estimators=n, random_state=0).fit(X, y).score(X, y))
        scores.append(RandomForestClassifier(n_estimators=n, **SEEDED).fit(X, y).score(X, y))
    return scores


@parallel_for
def seed_per_iteration(X, y):
    scores = []
    for seed in range(5):
        scores.append(RandomForestClassifier(random_state=seed).fit(X, y).score(X, y))
    return scores


@parallel_for
def seeded_items(X, y):
    scores = {}
    for name, model in MODELS.items():
        scores[name] = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0)).mean()
    return scores


@parallel_for
def quiet_settings(X, y, costs):
    out = []
    for c in costs:
        out.append(LinearSVC(C=c, dual=False).fit(X, y).score(X, y))
        out.append(PCA(n_components=2, svd_solver="full").fit_transform(X))
        out.append(FactorAnalysis(n_components=2).fit_transform(X))
        out.append(cross_val_score(SVC(C=c), X, y, cv=KFold(5)).mean())
    return out


@parallel_for
def fitted_outside_read_inside(X_parts):
    out = []
    for part in X_parts:
        out.append(fitted.predict(part))
    return out
