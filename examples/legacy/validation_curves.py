"""Validation curves drawn while they are computed: one line per polynomial degree, plotted inside the loop.

``draw_curves`` is the legacy loop: it fits and draws in the same iteration, so every iteration changes pyplot's
current figure (module-level state, which a worker process only has a copy of). ``curve_scores`` and ``draw`` are
the restructured version: the loop only computes, and the drawing happens after it, in the caller.
"""

import numpy as np

rng = np.random.default_rng(1)
x = np.sort(rng.uniform(-1, 1, size=15_000))
y = np.sin(3 * x) + rng.normal(scale=0.3, size=x.size)
ALPHAS = np.logspace(-6, 2, 12)


def validation_curve(degree, x, y, alphas=ALPHAS, folds=5):
    """Cross-validated mean squared error of a ridge polynomial fit of ``degree``, for each alpha."""
    features = np.vander(x, degree + 1)
    errors = []
    for alpha in alphas:
        fold_errors = []
        for k in range(folds):
            test = np.arange(k, x.size, folds)
            train = np.setdiff1d(np.arange(x.size), test)
            A = features[train].T @ features[train] + alpha * np.eye(degree + 1)
            w = np.linalg.solve(A, features[train].T @ y[train])
            fold_errors.append(float(np.mean((features[test] @ w - y[test]) ** 2)))
        errors.append(sum(fold_errors) / folds)
    return errors


def draw_curves(degrees, x, y):
    import matplotlib.pyplot as plt

    for degree in degrees:
        plt.semilogx(ALPHAS, validation_curve(degree, x, y), label=f"degree {degree}")
    plt.legend()


def curve_scores(degrees, x, y):
    scores = {}
    for degree in degrees:
        scores[degree] = validation_curve(degree, x, y)
    return scores


def draw(scores):
    import matplotlib.pyplot as plt

    for degree, errors in scores.items():
        plt.semilogx(ALPHAS, errors, label=f"degree {degree}")
    plt.legend()


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draw_curves(range(1, 9), x, y)
    plt.savefig("validation_curves.png")
