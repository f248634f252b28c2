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


@pytest.mark.parametrize("bad", ["OSError", 3, ValueError("x"), (ValueError, "KeyError"), [int], None])
def test_retry_on_rejects_what_except_would_reject(bad: object) -> None:
    with pytest.raises(ValueError, match=r"retry_on=.*is not allowed.*exception class or a tuple of them"):
        io_bound(retries=2, retry_on=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("retry_on", [ValueError, (ValueError,), [ValueError, KeyError], (LookupError, ValueError)])
def test_retry_on_takes_a_class_or_a_tuple_or_list_of_classes_like_except(retry_on: object) -> None:
    attempts: dict[int, int] = {}

    def flaky(x: int) -> int:
        attempts[x] = attempts.get(x, 0) + 1  # noqa: PAR101 - each key is written by its one task only
        if attempts[x] <= 2:
            raise ValueError(f"try {attempts[x]}")
        return x * 10

    f = io_bound(retries=2, retry_on=retry_on, max_concurrency=2)(flaky)  # type: ignore[call-overload]
    items = [1, 2, 3]
    assert f.map(items) == [x * 10 for x in items]
    assert attempts == dict.fromkeys(items, 3)
    assert f._self_options.retry_on == (tuple(retry_on) if isinstance(retry_on, (tuple, list)) else (retry_on,))
