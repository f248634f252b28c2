"""Accepted (issue 12): a store into the element under a key, `acc[k][j] = e`, on an accumulator the loop changes
no other way, is replayed in the caller in iteration order (scikit-learn's plot_outlier_detection_bench). The
accumulator is built in the function, before the loop, with new containers as its elements, and nothing else holds
it or an element: the store changes nothing another name reads."""
from collections import defaultdict

from parallelize import parallel_for


@parallel_for
def scores_per_model(models, datasets, fit_predict):
    y_score = defaultdict(dict)
    for name in models:
        for label, X in datasets:
            y_score[name][label] = fit_predict(name, X)
    return y_score


@parallel_for
def per_letter(words):
    table = {"a": {}, "b": {}}
    for w in words:
        table["a" if w < "b" else "b"][w] = len(w)
    return table


@parallel_for
def score_all(models, X, y):
    scores = {name: {} for name in models}
    for name, model in models.items():
        scores[name]["mean"] = model.score(X, y)
    return scores


@parallel_for
def grid(n):
    board = [[0] * n for _ in range(n)]
    for i in range(n):
        board[i][i] = 1
    return board


@parallel_for(loop=2)
def filled_twice(models, datasets, fit_predict):
    y_score = {name: {} for name in models}
    for name in models:  # a first pass stores into the elements: still no other name holds them
        y_score[name]["first"] = fit_predict(name, datasets[0])
    for name in models:
        y_score[name]["second"] = fit_predict(name, datasets[1])
    return y_score


@parallel_for
def with_helper(models, X):
    def fit_predict(model, X):  # its own `y_score`, not the table
        y_score = model.fit(X).decision_function(X)
        return y_score

    y_score = {"LOF": {}, "IForest": {}}
    for name, model in models.items():
        y_score[name]["data"] = fit_predict(model, X)
    best = max(y_score, key=lambda n: y_score[n]["data"].mean())
    y_score = y_score[best]  # rebound after the loop: another object from here on
    return y_score
