import matplotlib.pyplot as plt
import numpy as np

from parallelize import parallel_for


@parallel_for
def curves(settings, X):
    for c in settings:
        plt.plot(X, np.sin(c * X))  # PAR601
        plt.title(f"C={c}")  # PAR601


@parallel_for
def on_outer_axes(settings, ax, X):
    for c in settings:
        ax.scatter(X, c * X)  # PAR601
        ax.set_title(str(c))  # PAR601


@parallel_for
def restructured(settings, X):
    data = []
    for c in settings:
        data.append(np.sin(c * X))  # data in the loop: accepted
    return data
