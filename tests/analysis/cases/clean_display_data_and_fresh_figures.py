"""Loops that only compute next to plotting names, or draw on a figure of their own: accepted."""

import numpy as np
from matplotlib.figure import Figure

from parallelize import parallel_for


@parallel_for
def histograms(samples):
    counts = []
    for sample in samples:
        counts.append(np.histogram(sample, bins=10)[0])  # computes, draws nothing
    return counts


@parallel_for
def column_sums(df, columns):
    sums = []
    for column in columns:
        sums.append(df[column].values.sum())
    return sums


@parallel_for
def own_figures(curves, folder):
    for name, (x, y) in curves:
        fig = Figure()  # not registered with pyplot: the iteration's own figure
        ax = fig.subplots()
        ax.plot(x, y)
        fig.savefig(f"{folder}/{name}.png")
