import random

import matplotlib.pyplot as plt
import numpy as np

from parallelize import parallel_for


def draw_curve(X, c):
    plt.plot(X, np.sin(c * X))  # a helper drawing on pyplot's current figure


def noise(n):
    return _jitter(n) + random.random()


def _jitter(n):
    return np.random.normal(size=n).mean()  # two levels down from the loop


def clean(X, c):
    return np.sin(c * X)  # no global state: calls of it stay accepted


@parallel_for
def curves(settings, X):
    for c in settings:
        draw_curve(X, c)  # PAR601


@parallel_for
def noisy(sizes):
    out = []
    for n in sizes:
        out.append(noise(n))  # PAR602
    return out


@parallel_for
def fine(settings, X):
    out = []
    for c in settings:
        out.append(clean(X, c))
    return out
