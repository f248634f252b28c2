"""Loop mode on scikit-learn loops (issue 12): what the immutable-value and estimator-constructor proofs accept
equals the serial loop on every backend; an estimator left to numpy's global generator is refused (PAR602) and
accepted with `seed=` on processes, where the result equals the serial run's."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from parallelize import SharedStateError, parallel_for

sklearn = pytest.importorskip("sklearn")

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.feature_selection import SelectPercentile, f_classif  # noqa: E402
from sklearn.linear_model import HuberRegressor, LogisticRegression, Ridge  # noqa: E402
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score  # noqa: E402
from sklearn.model_selection import GridSearchCV, ShuffleSplit, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.semi_supervised import SelfTrainingClassifier  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

BACKENDS: dict[str, Callable[..., Any]] = {
    "serial": lambda **kw: parallel_for(backend="serial", **kw),
    "threads": lambda **kw: parallel_for(backend="threads", n_jobs=2, **kw),
    "loky": lambda **kw: parallel_for(backend="loky", n_jobs=2, **kw),
}

EPSILONS = [1.35, 1.5, 1.75]
SHUFFLE = {"test_size": 0.3, "n_splits": 4, "random_state": 1}
GRIDS = [{"C": [0.1, 1.0]}, {"C": [10.0]}]
base = SVC(gamma=0.5, random_state=42)
MODELS = {"forest": RandomForestClassifier(n_estimators=5), "svc": SVC()}


def huber_per_epsilon(X, y):
    coefs = []
    for epsilon in EPSILONS:
        coefs.append(HuberRegressor(alpha=0.0, epsilon=epsilon).fit(X, y).coef_.tolist())
    return coefs


def self_training_per_threshold(X, y, thresholds):
    scores = []
    for threshold in thresholds:
        scores.append(SelfTrainingClassifier(base, threshold=threshold).fit(X, y).score(X, y))
    return scores


def splits_per_size(X, sizes):
    splits = []
    for size in sizes:
        splits.append([test.tolist() for _, test in ShuffleSplit(train_size=size, **SHUFFLE).split(X)])
    return splits


def search_per_grid(X, y):
    best = []
    for grid in GRIDS:
        best.append(GridSearchCV(estimator=base, param_grid=grid, cv=3).fit(X, y).best_score_)
    return best


def unseeded_models(X, y):
    scores = {}
    for name, model in MODELS.items():
        scores[name] = cross_val_score(model, X, y, cv=3).tolist()
    return scores


def scores_per_metric(y, proba):
    scores = defaultdict(list)
    for metric in [brier_score_loss, log_loss, roc_auc_score]:
        scores[metric.__name__].append(float(metric(y, proba)))
    return dict(scores)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_loops_passing_immutable_values_and_estimators_to_constructors_equal_the_serial_loop(backend: str) -> None:
    X, y = _data()
    decorate = BACKENDS[backend]()
    assert decorate(huber_per_epsilon)(X, X @ [1.0, 2.0, -1.0]) == huber_per_epsilon(X, X @ [1.0, 2.0, -1.0])
    assert decorate(self_training_per_threshold)(X, y, [0.6, 0.9]) == self_training_per_threshold(X, y, [0.6, 0.9])
    assert decorate(splits_per_size)(X, [0.3, 0.5]) == splits_per_size(X, [0.3, 0.5])
    assert decorate(search_per_grid)(X, y) == search_per_grid(X, y)
    proba = 1 / (1 + np.exp(-X[:, 0]))
    assert decorate(scores_per_metric)(y, proba) == scores_per_metric(y, proba)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_estimators_left_to_the_global_generator_are_refused_and_seeded_runs_equal_the_serial_run(
    backend: str,
) -> None:
    with pytest.raises(SharedStateError, match="PAR602"):
        BACKENDS[backend]()(unseeded_models)
    X, y = _data()
    if backend == "threads":  # threads share one global generator: `seed=` cannot help there
        with pytest.raises(SharedStateError, match="PAR602"):
            BACKENDS[backend](seed=3)(unseeded_models)
        return
    assert BACKENDS[backend](seed=3)(unseeded_models)(X, y) == BACKENDS["serial"](seed=3)(unseeded_models)(X, y)


# -- an outer estimator reset and refitted by every iteration (refits.py) -----------------------------------------
def refit_per_c(X, y, cs):
    clf = SVC(kernel="linear")
    scores, pids = [], []
    for c in cs:
        clf.set_params(C=c)
        clf.fit(X, y)
        scores.append(clf.score(X, y))
        pids.append(os.getpid())
    return scores, pids


def coefficient_path(X, y, cs):
    clf = make_pipeline(StandardScaler(), LogisticRegression(tol=1e-6, max_iter=500))
    coefs = []
    for c in cs:
        clf.set_params(logisticregression__C=c)
        clf.fit(X, y)
        coefs.append(clf["logisticregression"].coef_.ravel().tolist())
    return coefs


def anova_percentiles(X, y, percentiles):
    clf = Pipeline([("anova", SelectPercentile(f_classif)), ("svc", SVC(gamma="auto"))])
    means = []
    for percentile in percentiles:
        clf.set_params(anova__percentile=percentile)
        means.append(cross_val_score(clf, X, y, cv=3).mean())
    return means


def ridge_coefficients(X, y, alphas):
    clf = Ridge()
    coefs = []
    for a in alphas:
        clf.set_params(alpha=a).fit(X, y)
        coefs.append(clf.coef_.tolist())
    return coefs


def variance_per_components(X, components):
    pca = PCA(svd_solver="full")
    kept = []
    for n in components:
        pca.n_components = n
        pca.fit(X)
        kept.append(float(pca.explained_variance_ratio_.sum()))
    return kept


def inertia_per_dataset(datasets):
    km = KMeans(n_clusters=3, n_init=1)
    out = []
    for X in datasets:
        km.fit(X)
        out.append(float(km.inertia_))
    return out


@pytest.fixture
def iterations_on_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Iterations this small would run in the caller's own loop; send every one after the first to the workers."""
    from parallelize._scheduler import runner as runner_mod

    monkeypatch.setattr(runner_mod, "SLOW_ITERATION_SECONDS", 0.0)
    monkeypatch.setattr(runner_mod, "CALLER_BUDGET_SECONDS", 0.0)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_an_outer_estimator_reset_by_every_iteration_equals_the_serial_loop_and_is_refused_on_threads(
    backend: str, iterations_on_workers: None,
) -> None:
    X, y = _data()
    cs = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    decorate = BACKENDS[backend]()
    loops = [(refit_per_c, (X, y, cs)), (coefficient_path, (X, y, cs[2:])), (anova_percentiles, (X, y, [34, 67, 100])),
             (ridge_coefficients, (X, y, [0.01, 1.0, 100.0])), (variance_per_components, (X, [1, 2, 3]))]
    if backend == "threads":  # the iterations would share `clf`: set_params and fit race with each other's reads
        for loop, args in loops:
            with pytest.raises(SharedStateError, match=r"safe on processes, not on threads(?s:.*)PAR102"):
                decorate(loop)(*args)
        return
    scores, pids = decorate(refit_per_c)(X, y, cs)
    assert scores == refit_per_c(X, y, cs)[0]
    if backend == "loky":
        assert set(pids) - {os.getpid()}, "every iteration ran in the caller"
    for loop, args in loops[1:]:
        assert decorate(loop)(*args) == loop(*args)


@pytest.mark.parametrize("backend", ["serial", "loky"])
def test_an_outer_estimator_refitted_from_the_global_generator_needs_seed(backend: str) -> None:
    rng = np.random.default_rng(2)
    datasets = [rng.normal(size=(40, 2)) + shift for shift in range(3)]
    with pytest.raises(SharedStateError, match="PAR602"):
        BACKENDS[backend]()(inertia_per_dataset)
    # The same draws, so the same clusters; KMeans sums inertia over OpenMP threads, and a worker has one, so the
    # last bit may differ from the caller's sum.
    assert BACKENDS[backend](seed=5)(inertia_per_dataset)(datasets) == pytest.approx(BACKENDS["serial"](seed=5)(
        inertia_per_dataset)(datasets), rel=1e-12)

# -- a loop over a container of fresh estimators that nothing reads afterwards (items.py) -------------------------
def oob_errors(X, y, sizes):
    ensemble_clfs = [
        ("sqrt", RandomForestClassifier(warm_start=True, oob_score=True, max_features="sqrt", random_state=1)),
        ("none", RandomForestClassifier(warm_start=True, oob_score=True, max_features=None, random_state=1)),
    ]
    error_rate = {label: [] for label, _ in ensemble_clfs}
    pids = []
    for label, clf in ensemble_clfs:
        for i in sizes:
            clf.set_params(n_estimators=i)
            clf.fit(X, y)
            error_rate[label].append((i, 1 - clf.oob_score_))
        pids.append(os.getpid())
    return error_rate, pids


def predictions_per_model(X, y):
    estimators = {"ridge": Ridge(alpha=2.0), "huber": HuberRegressor(), "svc": SVC(C=3.0)}
    predicted = {}
    for name, estimator in estimators.items():
        estimator.fit(X, y)
        predicted[name] = estimator.predict(X).tolist()
    return predicted, sorted(estimators)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_a_loop_owning_its_estimators_equals_the_serial_loop_on_every_backend(
    backend: str, iterations_on_workers: None,
) -> None:
    X, y = _data()
    decorate = BACKENDS[backend]()
    errors, pids = decorate(oob_errors)(X, y, [5, 10, 15])
    assert errors == oob_errors(X, y, [5, 10, 15])[0]
    if backend == "loky":
        assert set(pids) - {os.getpid()}, "every iteration ran in the caller"
    assert decorate(predictions_per_model)(X, y) == predictions_per_model(X, y)


SHARED_RNG = np.random.RandomState(0)


def refit_with_the_callers_generator(datasets):
    km = KMeans(n_clusters=2, n_init=1)
    out = []
    for X in datasets:
        km.set_params(random_state=SHARED_RNG)  # every fit advances the caller's generator
        km.fit(X)
        out.append(float(km.inertia_))
    return out


def refit_with_the_callers_steps(X, y, steps):
    pipe = make_pipeline(StandardScaler(), SVC())
    out = []
    for step in steps:
        pipe.set_params(svc=step)  # the pipeline fits the caller's estimator in place
        pipe.fit(X, y)
        out.append(pipe.score(X, y))
    return out


@pytest.mark.parametrize("backend", ["serial", "loky"])
def test_a_reset_giving_the_estimator_something_its_fit_changes_is_refused(backend: str) -> None:
    for loop in (refit_with_the_callers_generator, refit_with_the_callers_steps):
        with pytest.raises(SharedStateError, match="PAR109"):
            BACKENDS[backend]()(loop)
