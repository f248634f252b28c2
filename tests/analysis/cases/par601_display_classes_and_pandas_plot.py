"""scikit-learn's display classes, pandas plotting and calls given outer axes draw through pyplot (issue 12)."""

import matplotlib.pyplot as plt
import numpy as np

from parallelize import parallel_for

try:
    from sklearn.inspection import DecisionBoundaryDisplay, PartialDependenceDisplay
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay
    from sklearn.tree import plot_tree
except ImportError:  # the checker reads the names; decoration needs no scikit-learn
    pass


@parallel_for
def roc_on_outer_axes(runs, y, ax):
    for scores in runs:
        RocCurveDisplay.from_predictions(y, scores, ax=ax)  # PAR601


@parallel_for
def confusion_matrices(models, X, y):
    for model in models:  # without ax=, a new pyplot figure per iteration
        ConfusionMatrixDisplay.from_estimator(model, X, y)  # PAR601


@parallel_for
def precision_recall(curves, ax):
    for precision, recall in curves:
        PrecisionRecallDisplay(precision=precision, recall=recall).plot(ax=ax)  # PAR601


@parallel_for
def display_made_then_plotted(matrices):
    for cm in matrices:
        disp = ConfusionMatrixDisplay(cm)
        disp.plot()  # PAR601


@parallel_for
def boundaries(models, X, axs):
    for model, ax in zip(models, axs):
        DecisionBoundaryDisplay.from_estimator(model, X, ax=ax)  # PAR601


@parallel_for
def dependence(models, X):
    for model in models:
        PartialDependenceDisplay.from_estimator(model, X, [0])  # PAR601


@parallel_for
def pandas_frame_plot(df, columns):
    for column in columns:
        df.plot(y=column)  # PAR601


@parallel_for
def pandas_plot_accessor(df, columns):
    for column in columns:
        df[column].plot.box()  # PAR601


@parallel_for
def pandas_fresh_frame_on_outer_axes(df, columns, ax):
    for column in columns:
        part = df[df[column] > 0]
        part.plot(x=column, y="target", ax=ax)  # PAR601


@parallel_for
def pandas_hist(df, columns):
    for column in columns:
        df.hist(column=column)  # PAR601


@parallel_for
def helper_given_outer_axes(models, ax):
    for model in models:
        plot_tree(model, ax=ax)  # PAR601


@parallel_for
def arrows(points):
    for x, y in points:
        plt.arrow(0, 0, x, y)  # PAR601


@parallel_for
def restructured(models, X, y):
    matrices = []
    for model in models:
        matrices.append(np.asarray(model.predict(X) == y))  # data in the loop, draw after it: accepted
    return matrices
