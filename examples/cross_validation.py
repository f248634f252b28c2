"""Cross-validate several scikit-learn models at once: one model per worker process.

Run: python examples/cross_validation.py
"""

from __future__ import annotations

import time

from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from parallelize import parallel_for

MODELS = {
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "k nearest neighbours": make_pipeline(StandardScaler(), KNeighborsClassifier()),
    "decision tree": DecisionTreeClassifier(random_state=0),
    "naive Bayes": GaussianNB(),
    "SVC (rbf)": make_pipeline(StandardScaler(), SVC()),
    "SVC (linear)": make_pipeline(StandardScaler(), SVC(kernel="linear")),
}


@parallel_for(loop=False)
def score(name: str, X, y) -> float:
    """Mean 10-fold cross-validated accuracy of one model."""
    return float(cross_val_score(MODELS[name], X, y, cv=10).mean())


def main() -> int:
    X, y = load_breast_cancer(return_X_y=True)
    names = list(MODELS)

    started = time.perf_counter()
    serial = [score(name, X, y) for name in names]  # the plain function, one model after another
    serial_s = time.perf_counter() - started

    started = time.perf_counter()
    parallel = score.map(names, X, y)  # X and y are sent once per worker, not once per model
    parallel_s = time.perf_counter() - started

    for name, accuracy in zip(names, parallel, strict=True):
        print(f"{name:<22} {accuracy:.4f}")
    print(f"serial {serial_s:.2f}s, parallel {parallel_s:.2f}s (the first parallel call also starts the workers)")
    same = parallel == serial
    print(f"same results as serial: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
