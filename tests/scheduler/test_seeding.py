"""Seeds: task i's stream depends only on (seed, i); the caller's global random state survives serial runs."""

from __future__ import annotations

import random

import numpy as np
import tasks

from parallelize import config, parallel_for, rng


def test_task_streams_equal_seedsequence_spawn() -> None:
    f = parallel_for(backend="serial", seed=5)(tasks.random_draws)
    expected = [np.random.Generator(np.random.PCG64(c)).random() for c in np.random.SeedSequence(5).spawn(4)]
    assert [r[0] for r in f.map(range(4))] == expected


def test_serial_run_restores_the_callers_global_state() -> None:
    random.seed(1)
    np.random.seed(1)
    expected = (random.random(), np.random.random())
    random.seed(1)
    np.random.seed(1)
    with config(backend="serial"):
        parallel_for(seed=3)(tasks.random_draws).map(range(3))
    assert (random.random(), np.random.random()) == expected


def test_inline_probe_restores_the_callers_global_state() -> None:
    random.seed(2)
    expected = random.random()
    random.seed(2)
    parallel_for(n_jobs=2, seed=3)(tasks.random_draws).map(range(3))
    assert random.random() == expected


def test_different_seeds_give_different_streams() -> None:
    a = parallel_for(backend="serial", seed=1)(tasks.random_draws).map(range(3))
    b = parallel_for(backend="serial", seed=2)(tasks.random_draws).map(range(3))
    assert a != b


def test_rng_outside_a_task_is_a_fresh_generator() -> None:
    assert isinstance(rng(), np.random.Generator)
