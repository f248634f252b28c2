"""Still refused: the caller reads the refitted estimator after the loop; in workers only copies are fitted."""
from parallelize import parallel_for


@parallel_for
def last_fit(model, grid, X, y):
    scores = []
    for params in grid:
        model.set_params(**params)  # PAR108
        model.fit(X, y)  # PAR108
        scores.append(model.score(X, y))
    return model.coef_, scores
