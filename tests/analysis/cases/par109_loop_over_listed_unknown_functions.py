"""Refused (issue 12): a loop whose target takes functions the analysis cannot vouch for: one defined elsewhere
(it may change its argument), or one of them rebinding the target in the body. Each call of the target is judged
as a call of every function it may be."""
from mylib import normalise
from sklearn.metrics import log_loss

from parallelize import parallel_for


@parallel_for
def unknown(y_test, y_prob):
    out = []
    for metric in [log_loss, normalise]:
        out.append(metric(y_test, y_prob))  # PAR109
    return out


@parallel_for
def rebound(y_test, y_prob, raw):
    out = []
    for metric in [log_loss]:
        if raw:
            metric = normalise
        out.append(metric(y_test, y_prob))  # PAR109
    return out
