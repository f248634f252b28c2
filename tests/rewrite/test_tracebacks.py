"""An exception in loop-mode iteration k points at the user's own file and line, not generated code (issue 3).

The places a user can see are collected from the exception chain: every frame of ``__traceback__`` (of the
exception, its ``__cause__`` and ``__context__``), and every ``File "...", line N`` of an attached remote
traceback's text (process workers).
"""

from __future__ import annotations

import inspect
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import legacy_functions as L
import pytest

from parallelize import io_bound, parallel_for

_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')

DECORATORS: dict[str, Callable[[], Any]] = {
    "serial": lambda: parallel_for(backend="serial"),
    "threads": lambda: parallel_for(backend="threads", n_jobs=2),
    "loky-inline": lambda: parallel_for(backend="loky", n_jobs=2),
    "loky-dispatched": lambda: parallel_for(backend="loky", n_jobs=2, batch_size=1),
    "io_bound": lambda: io_bound(max_concurrency=2),
}
# Regression (issue 3): cloudpickle renames the file of by-value code to '<dynamic-code>'; workers restore it.


def places(exc: BaseException) -> set[tuple[str, int]]:
    """Every (file, line) the exception chain shows, local frames and remote traceback text alike."""
    found: set[tuple[str, int]] = set()
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for frame in traceback.extract_tb(current.__traceback__):
            found.add((frame.filename, frame.lineno or 0))
        text = str(current) if type(current).__name__ == "RemoteTraceback" else ""
        text += "".join(getattr(current, "__notes__", []))
        for tb_text in (text, getattr(current, "tb", "") or ""):
            for filename, line in _FILE_LINE.findall(str(tb_text)):
                found.add((filename, int(line)))
        stack += [current.__cause__, current.__context__]
    return found


def line_of(text: str) -> int:
    lines = Path(L.__file__).read_text().splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def _params() -> list[Any]:
    return [pytest.param(name, id=name) for name in DECORATORS]


@pytest.mark.parametrize("backend", _params())
def test_exception_in_iteration_k_points_at_the_raise_statement(backend: str) -> None:
    fn = DECORATORS[backend]()(L.raises_in_iteration_k)
    with pytest.raises(ValueError) as info:
        fn([3, 1, 4, 1, 5], [], 2)
    where = places(info.value)
    assert (L.__file__, line_of('raise ValueError(f"iteration {i} failed')) in where, sorted(where)


@pytest.mark.parametrize("backend", _params())
def test_exception_in_a_collector_expression_points_at_its_line(backend: str) -> None:
    fn = DECORATORS[backend]()(L.zero_division_in_helper)
    with pytest.raises(ZeroDivisionError) as info:
        fn([2, 1, 0, 4], {})
    assert (L.__file__, line_of("seen[x] = 12 / x")) in places(info.value)


@pytest.mark.parametrize("backend", list(DECORATORS))
def test_traceback_shows_no_generated_file(backend: str) -> None:
    fn = DECORATORS[backend]()(L.key_error)
    with pytest.raises(KeyError) as info:
        fn(["a", "zz"], {"a": 1}, [])
    files = {filename for filename, _ in places(info.value)}
    assert not any(name.startswith("<") and name != "<dynamic-code>" for name in files), files


def test_caller_frame_is_the_loop_line_of_the_original_function() -> None:
    # In the caller, the failing iteration surfaces where the loop is: the user's `for` line, in their file.
    fn = DECORATORS["threads"]()(L.raises_in_iteration_k)
    with pytest.raises(ValueError) as info:
        fn([3, 1, 4], [], 1)
    frames = [(f.filename, f.lineno, f.name) for f in traceback.extract_tb(info.value.__traceback__)]
    lines, first = inspect.getsourcelines(L.raises_in_iteration_k)
    for_line = first + next(i for i, line in enumerate(lines) if line.lstrip().startswith("for "))
    assert (L.__file__, for_line, "raises_in_iteration_k") in frames, frames
