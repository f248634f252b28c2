from parallelize import parallel_for


@parallel_for
def evaluate(models, X, y):
    scores = {}
    for name, model in models.items():
        scores[name] = model.score(X, y)
    return scores
