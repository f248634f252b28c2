"""Accepted (the restructured grid search): each iteration fits its own clone; nothing outer is refitted."""
from sklearn.base import clone

from parallelize import parallel_for


@parallel_for
def grid_search(model, grid, X, y, X_test, y_test):
    scores = []
    for params in grid:
        fitted = clone(model).set_params(**params).fit(X, y)
        scores.append(fitted.score(X_test, y_test))
    return scores
