"""Loop mode is sound on plotting, the global RNG and unknown calls on outer objects (PAR109, PAR601-PAR603).

Differential: what loop mode accepts gives the serial result on every backend; what it cannot make equal it
refuses at decoration.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from parallelize import SharedStateError, parallel_for

BACKENDS: dict[str, Callable[..., Any]] = {
    "serial": lambda **kw: parallel_for(backend="serial", **kw),
    "threads": lambda **kw: parallel_for(backend="threads", n_jobs=2, **kw),
    "loky": lambda **kw: parallel_for(backend="loky", n_jobs=2, **kw),
}


def curves_drawn_in_loop(settings, xs):
    import matplotlib.pyplot as plt

    for c in settings:
        plt.plot(xs, np.sin(c * xs))


def curves_collected(settings, xs):
    data = []
    for c in settings:
        data.append(np.sin(c * xs))
    return data


def draw_on(ax, settings, xs):
    for c in settings:
        ax.plot(xs, c * xs)


def noisy_means(n):
    out = []
    for _ in range(n):
        out.append(float(np.random.normal(size=8).mean()) + random.random())  # noqa: PAR602 (refused or seeded)
    return out


def partial_fits(model, batches):
    out = []
    for batch in batches:
        out.append(model.partial_fit(batch))
    return out


def figure_data(fig: Any) -> list[list[float]]:
    return [list(line.get_ydata()) for ax in fig.axes for line in ax.get_lines()]


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_plotting_loop_is_refused_and_the_restructured_loop_draws_the_serial_figure(backend: str) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with pytest.raises(SharedStateError, match="PAR601") as refused:
        BACKENDS[backend]()(curves_drawn_in_loop)
    assert "draw after it" in str(refused.value) and "loop=False" in str(refused.value)
    with pytest.raises(SharedStateError, match="PAR601"):
        BACKENDS[backend]()(draw_on)

    settings, xs = [1.0, 2.0, 3.0, 4.0, 5.0], np.linspace(0, 1, 7)
    serial_fig = plt.figure()
    curves_drawn_in_loop(settings, xs)
    parallel_fig = plt.figure()
    for ys in BACKENDS[backend]()(curves_collected)(settings, xs):
        plt.plot(xs, ys)
    assert figure_data(parallel_fig) == figure_data(serial_fig)
    assert len(figure_data(parallel_fig)) == 5
    plt.close("all")


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_global_rng_without_seed_is_refused_with_the_fix(backend: str) -> None:
    with pytest.raises(SharedStateError, match="PAR602") as refused:
        BACKENDS[backend]()(noisy_means)
    assert "seed=" in str(refused.value)


def test_global_rng_with_seed_equals_the_serial_backend_on_process_backends_and_any_n_jobs() -> None:
    # Threads share one global generator, so only `parallelize.rng()` is per task there (documented limit).
    expected = BACKENDS["serial"](seed=7)(noisy_means)(6)
    assert len(set(expected)) == 6
    assert BACKENDS["loky"](seed=7)(noisy_means)(6) == expected
    assert parallel_for(backend="loky", n_jobs=3, seed=7)(noisy_means)(6) == expected


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_unknown_method_on_an_outer_object_is_refused(backend: str) -> None:
    with pytest.raises(SharedStateError, match="PAR109") as refused:
        BACKENDS[backend]()(partial_fits)
    assert "partial_fit" in str(refused.value) and "loop=False" in str(refused.value)


def test_loop_false_stays_the_way_out() -> None:
    class Counter:
        n = 0

        def partial_fit(self, batch):
            self.n += batch
            return self.n

    model = Counter()
    assert parallel_for(loop=False)(partial_fits)(model, [1, 2, 3]) == [1, 3, 6]


def test_global_rng_with_seed_is_refused_on_threads_at_decoration_and_at_call_time() -> None:
    # Threads share one global generator: seed= cannot give each iteration its own draws there, so the result
    # would differ from the serial loop's (a false "safe" the first version of PAR602 had).
    with pytest.raises(SharedStateError, match="PAR602") as refused:
        parallel_for(backend="threads", seed=7)(noisy_means)
    assert "parallelize.rng()" in str(refused.value)
    decorated = parallel_for(seed=7)(noisy_means)  # accepted for processes
    from parallelize import config

    with config(backend="threads"), pytest.raises(SharedStateError, match="PAR602"):
        decorated(6)
    with config(backend="serial"):
        assert decorated(6) == BACKENDS["serial"](seed=7)(noisy_means)(6)
