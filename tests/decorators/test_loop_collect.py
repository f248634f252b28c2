"""Loop mode with ``on_error="collect"``: every iteration runs, the good ones are applied, one TaskFailures.

Differential: what the caller's objects hold afterwards equals a serial loop that skips the failing iterations,
and ``TaskFailures.results`` holds, per iteration, None (ran and applied) or its exception: never engine records.
"""

from __future__ import annotations

from typing import Any

import pytest

from parallelize import TaskFailures, config, parallel_for

ITEMS = [1, 0, 2, 0, 4]


def inverses(xs: list[int], out: list[float]) -> list[float]:
    for x in xs:
        out.append(1 / x)
    return out


def _skipping_failures(xs: list[int]) -> list[float]:
    return [1 / x for x in xs if x != 0]


def _check(group: TaskFailures, out: list[float]) -> None:
    assert out == _skipping_failures(ITEMS)
    assert group.failed_indices == [1, 3]
    assert [type(e) for e in group.exceptions] == [ZeroDivisionError, ZeroDivisionError]
    assert [None if r is None else type(r) for r in group.results] == [None, ZeroDivisionError, None,
                                                                       ZeroDivisionError, None]
    assert group.results[1] is group.exceptions[0] and group.results[3] is group.exceptions[1]


@pytest.mark.parametrize("backend", ["loky", "threads", "serial"])
@pytest.mark.parametrize("batch_size", [1, "auto"])
def test_collect_applies_the_good_iterations_and_reports_each_failure(backend: str, batch_size: Any) -> None:
    f = parallel_for(on_error="collect", batch_size=batch_size, n_jobs=2)(inverses)
    # Later calls too: tiny iterations are measured on the first call, and must not switch to the original loop
    # (which would stop at the first error with a bare exception).
    for _ in range(3):
        out: list[float] = []
        with config(backend=backend), pytest.raises(TaskFailures) as info:
            f(ITEMS, out)
        _check(info.value, out)


def test_collect_means_the_same_under_the_serial_debugging_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_BACKEND", "serial")
    f = parallel_for(on_error="collect")(inverses)
    for _ in range(2):
        out: list[float] = []
        with pytest.raises(TaskFailures) as info:
            f(ITEMS, out)
        _check(info.value, out)


def test_collect_without_failures_returns_what_the_function_returns() -> None:
    f = parallel_for(on_error="collect", batch_size=1, n_jobs=2)(inverses)
    assert f([1, 2, 4], []) == inverses([1, 2, 4], [])


def test_raise_under_the_serial_switch_runs_the_original_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # The documented debugging switch: the original code runs, so the first error is raised as it is.
    monkeypatch.setenv("PARALLELIZE_BACKEND", "serial")
    out: list[float] = []
    with pytest.raises(ZeroDivisionError):
        parallel_for(inverses)(ITEMS, out)
    assert out == [1.0]
