from parallelize import parallel_for


def train(model, X, y):
    model.fit(X, y)


@parallel_for
def train_all(models, X, y):
    for m in models:
        train(m, X, y)  # PAR108: 9
    return models
