"""Axes bound outside the loop and reached through the loop target: every element of ``zip``, ``enumerate``, a
tuple or list display counts alike (issue 12: ``zip(axs.ravel(), names)`` was accepted, ``zip(names, ...)`` not)."""

import matplotlib.pyplot as plt
import numpy as np

from parallelize import parallel_for


@parallel_for
def ravelled(axs, images):
    for ax in axs.ravel():
        ax.imshow(images)  # PAR601


@parallel_for
def zipped_axes_first(axs, names, X):
    for ax, name in zip(axs.ravel(), names):
        ax.plot(X, np.sin(X))  # PAR601
        ax.set_title(name)  # PAR601


@parallel_for
def zipped_axes_second(axs, names):
    for name, ax in zip(names, axs.ravel()):
        ax.set_title(name)  # PAR601


@parallel_for
def enumerated(axs, images):
    for i, ax in enumerate(axs.flat):
        ax.imshow(images[i])  # PAR601


@parallel_for
def tuple_display(X):
    fig, (ax1, ax2) = plt.subplots(1, 2)
    for ax in (ax1, ax2):
        ax.set_xlabel("x")  # PAR601
        ax.grid(True)  # PAR601
    return fig


@parallel_for
def list_of_pairs(X):
    fig, (ax1, ax2) = plt.subplots(1, 2)
    for name, ax in [("a", ax1), ("b", ax2)]:
        ax.set_title(name)  # PAR601
    return fig


@parallel_for
def zipped_with_list_display(subsets, ax1, ax2):
    for subset, ax in zip(subsets, [ax1, ax2]):
        ax.bar(subset, subset)  # PAR601


@parallel_for
def triples(models, X, y, ax1, ax2):
    for model, title, ax in [(models[0], "first", ax1), (models[1], "second", ax2)]:
        ax.scatter(X, model.predict(X))  # PAR601
        ax.set_title(title)  # PAR601


@parallel_for
def nested(axs, names, X):
    for row in axs:
        for ax, name in zip(row, names):
            ax.plot(X, X)  # PAR601
