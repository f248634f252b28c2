"""Accepted (issue 12): an estimator built before the loop, reset at the top of every iteration (`set_params` with
the same keywords, then `fit`), only read after that, and never used after the loop. The serial loop leaves it
fitted for the last setting; nothing reads it then, so workers refitting their own copies give the same results."""
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectPercentile, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from parallelize import parallel_for, io_bound


@parallel_for
def scores_by_c(cs, X, y):
    clf = SVC(kernel="linear")
    scores = []
    for c in cs:
        clf.set_params(C=c)
        clf.fit(X, y)
        scores.append(clf.score(X, y))
    return scores


@parallel_for
def coefficient_path(cs, X, y):
    clf = make_pipeline(StandardScaler(), LogisticRegression(tol=1e-6, max_iter=200))
    coefs = []
    for c in cs:
        clf.set_params(logisticregression__C=c)
        _ = clf.fit(X, y)
        coefs.append(clf["logisticregression"].coef_.ravel().copy())
    return coefs


@parallel_for
def anova_percentiles(percentiles, X, y):
    clf = Pipeline([("anova", SelectPercentile(f_classif)), ("svc", SVC(gamma="auto"))])
    means = []
    for percentile in percentiles:
        clf.set_params(anova__percentile=percentile)  # cross_val_score fits clones: only the parameter is reset
        means.append(cross_val_score(clf, X, y).mean())
    return means


@parallel_for
def per_dataset(datasets, components):
    out = []
    for X in datasets:
        pca = PCA(random_state=0)  # rebuilt for every dataset: the inner loop is its only user
        for n in components:
            pca.set_params(n_components=n)
            pca.fit(X)
            out.append(pca.explained_variance_ratio_.sum())
    return out


@parallel_for
def ridge_path(alphas, X, y):
    clf = LogisticRegression(max_iter=300)
    coefs = []
    for a in alphas:
        clf.set_params(C=1 / a).fit(X, y)  # the chained form: `set_params` returns the estimator
        coefs.append(clf.coef_.copy())
    return coefs


@parallel_for
def components_scores(components, X):
    pca = PCA(svd_solver="full")
    scores = []
    for n in components:
        pca.n_components = n  # a parameter set by assignment, as set_params sets it (plot_pca_vs_fa_model_selection)
        scores.append(cross_val_score(pca, X).mean())
    return scores

