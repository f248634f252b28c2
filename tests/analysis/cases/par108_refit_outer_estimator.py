"""Still refused (issue 12): refitting one outer estimator per setting. `fit` is not provably a reset: with
`warm_start=True` (which `set_params` may set) it starts from the previous fit, and a `RandomState` instance as
`random_state` is advanced by every fit, so a worker's copy would not fit what the serial loop fits. Collect
fresh fits instead: `scores.append(clone(model).set_params(**params).fit(X, y).score(X_test, y_test))`."""
from parallelize import parallel_for


@parallel_for
def grid_search(model, grid, X, y, X_test, y_test):
    scores = []
    for params in grid:
        model.set_params(**params)  # PAR108
        model.fit(X, y)  # PAR108
        scores.append(model.score(X_test, y_test))
    return scores
