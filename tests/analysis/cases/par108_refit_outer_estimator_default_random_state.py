"""An estimator built outside the loop with its `random_state` left at `None` and fitted in each iteration: the
fit draws from numpy's global generator and changes the outer estimator. Refused as a mutation of an outer
object (PAR108 for a discarded `fit`, PAR109 for a chained one); build it in the iteration with
`random_state=...` (`RandomForestClassifier(random_state=0).fit(X, y)`)."""
from sklearn.ensemble import RandomForestClassifier

from parallelize import parallel_for

clf = RandomForestClassifier()
explicit = RandomForestClassifier(random_state=None)


@parallel_for
def scores(datasets):
    out = []
    for X, y in datasets:
        clf.fit(X, y)  # PAR108
        out.append(clf.score(X, y))
    return out


@parallel_for
def chained(datasets):
    out = []
    for X, y in datasets:
        out.append(explicit.fit(X, y).score(X, y))  # PAR109
    return out
