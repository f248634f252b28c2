"""Per-task random streams: task ``i`` of a call with ``seed=s`` always gets the same stream, on any backend.

Task ``i`` uses ``SeedSequence(s, spawn_key=(i,))``, which is exactly ``SeedSequence(s).spawn(n)[i]`` without
knowing ``n`` (so lazy and endless inputs work). :func:`rng` returns the task's ``numpy.random.Generator``. On
process workers and in the caller, the global ``random`` and ``numpy.random`` states are seeded per task too;
threads share those globals, so there only :func:`rng` is reproducible.
"""

from __future__ import annotations

import contextvars
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

_current: contextvars.ContextVar[Any] = contextvars.ContextVar("parallelize_rng", default=None)


def rng() -> np.random.Generator:
    """Return the current task's random generator.

    Inside a task of a call made with ``seed=s`` this is the task's own reproducible stream (the same for a given
    task index whatever the backend, ``n_jobs`` or batch size). Elsewhere it is a fresh, unseeded generator.
    """
    current = _current.get()
    if current is not None:
        return current  # type: ignore[no-any-return]
    import numpy as np

    return np.random.default_rng()


@contextmanager
def seeded_task(seed: int | None, index: int, seed_globals: bool) -> Iterator[None]:
    """Run the body of task ``index`` with its random stream (and, if asked, seeded global generators)."""
    if seed is None:
        token = _current.set(None)
        try:
            yield
        finally:
            _current.reset(token)
        return
    import numpy as np

    sequence = np.random.SeedSequence(seed, spawn_key=(index,))
    generator = np.random.Generator(np.random.PCG64(sequence))
    if seed_globals:
        words = sequence.spawn(1)[0].generate_state(8)
        random.seed(int.from_bytes(words[:4].tobytes(), "little"))
        np.random.seed(words[4:])
    token = _current.set(generator)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def preserved_global_state(enabled: bool) -> Iterator[None]:
    """Restore the caller's ``random`` and ``numpy.random`` states after tasks seeded them in this process."""
    if not enabled:
        yield
        return
    import numpy as np

    saved_random = random.getstate()
    saved_numpy = np.random.get_state()
    try:
        yield
    finally:
        random.setstate(saved_random)
        np.random.set_state(saved_numpy)
