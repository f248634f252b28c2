"""Accepted (issue 12): the loop's target takes each function of a literal list of imported read-only functions
(scikit-learn's metrics), so calling it with outer arrays changes none of them, as calling each by name would not
(scikit-learn's plot_calibration_curve example)."""
from collections import defaultdict

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from parallelize import parallel_for


@parallel_for
def probability_scores(y_test, y_prob):
    scores = defaultdict(list)
    for metric in [brier_score_loss, log_loss, roc_auc_score]:
        name = metric.__name__.replace("_", " ").capitalize()
        scores[name].append(metric(y_test, y_prob[:, 1]))
    return scores


@parallel_for
def summaries(columns):
    out = []
    for reduce in (np.mean, np.median, np.std):
        out.append([reduce(c) for c in columns])
    return out
