"""Under threads the iterations share the outer estimator, so a reset at the top of each iteration races with the
other iterations' fits and reads: the proof that accepts it on processes does not hold there (PAR102)."""
from sklearn.svm import SVC

from parallelize import io_bound


@io_bound
def scores_by_c(cs, X, y):
    clf = SVC()
    scores = []
    for c in cs:
        clf.set_params(C=c)  # PAR102
        clf.fit(X, y)  # PAR102
        scores.append(clf.score(X, y))
    return scores
