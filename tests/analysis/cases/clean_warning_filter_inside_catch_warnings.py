"""Accepted (issue 12): a warnings filter set inside `with warnings.catch_warnings():` is restored when the block
ends, so a worker that runs it changes nothing later tasks see (scikit-learn's plot_mlp_training_curves)."""
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from parallelize import parallel_for


@parallel_for
def curves(rates, X, y):
    mlps = []
    for rate in rates:
        mlp = MLPClassifier(random_state=0, max_iter=20, learning_rate_init=rate)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
            mlp.fit(X, y)
        mlps.append(mlp)
    return mlps
