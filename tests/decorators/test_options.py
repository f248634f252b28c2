"""Invalid options fail at decoration time with a ValueError naming the option, the value and what is allowed."""

from __future__ import annotations

import pytest

from parallelize import io_bound, parallel_for


@pytest.mark.parametrize("kwargs,match", [
    ({"n_jobs": 0}, "n_jobs=0"),
    ({"n_jobs": 2.5}, "n_jobs=2.5"),
    ({"batch_size": -3}, "batch_size=-3"),
    ({"batch_size": "big"}, "batch_size='big'"),
    ({"timeout": 0}, "timeout=0"),
    ({"on_error": "ignore"}, "on_error='ignore'"),
    ({"seed": -1}, "seed=-1"),
    ({"init": 3}, "init=3"),
    ({"backend": "mpi"}, "backend='mpi'"),
    ({"loop": 0}, "loop=0"),
])
def test_parallel_for_rejects_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parallel_for(**kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("kwargs,match", [
    ({"max_concurrency": 0}, "max_concurrency=0"),
    ({"rate": "fast"}, "rate='fast'"),
    ({"retries": -1}, "retries=-1"),
    ({"retry_on": (int,)}, "retry_on"),
])
def test_io_bound_rejects_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        io_bound(**kwargs)  # type: ignore[call-overload]
