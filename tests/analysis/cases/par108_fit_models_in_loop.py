from parallelize import parallel_for


@parallel_for
def fit_all(models, X, y):
    for m in models:
        m.fit(X, y)  # PAR108: 9
    return models


@parallel_for
def fit_named(models, X, y):
    for name in models:
        models[name].fit(X, y)  # PAR108


@parallel_for
def draw(series, ax):
    for s in series:
        ax.plot(s)  # PAR601


@parallel_for(loop=False)
def train(model, batch):
    model.partial_fit(batch)  # PAR108
    return model


class Trainer:
    def __init__(self, net):
        self.net = net

    @parallel_for
    def run(self, devices):
        for device in devices:
            self.net.to(device)  # PAR108
