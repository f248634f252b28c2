"""Still refused (issue 12): refitting an estimator the caller handed in. The loop cannot prove that `fit` is a
reset: `model` is a parameter, so the caller may have built it with `warm_start=True` or a `RandomState` instance
(each fit would then start from, or advance, the last one), `**params` may set either, and the caller still holds
the fitted object afterwards. Collect fresh fits instead:
`scores.append(clone(model).set_params(**params).fit(X, y).score(X_test, y_test))`."""
from parallelize import parallel_for


@parallel_for
def grid_search(model, grid, X, y, X_test, y_test):
    scores = []
    for params in grid:
        model.set_params(**params)  # PAR108
        model.fit(X, y)  # PAR108
        scores.append(model.score(X_test, y_test))
    return scores
