"""Map-mode tasks that write to state outside them: the bug parallelize exists to catch.

Undecorated here; tests decorate them (decoration warns about each write, which the tests check). Importable by
worker processes (tests/ is on sys.path).
"""

from __future__ import annotations

import operator
import os
import time

import lost_writes_helpers
import numpy as np

seen: list[int] = []
counts: dict[int, int] = {}
grid = np.zeros(64)


def append_and_square(x: int, delay: float = 0.0) -> int:
    if delay:
        time.sleep(delay)
    seen.append(x)
    counts[x] = counts.get(x, 0) + 1
    grid[x] = x
    return x * x


def square_and_pid(x: int, delay: float = 0.0) -> tuple[int, int]:
    if delay:
        time.sleep(delay)
    return x * x, os.getpid()


def append_through_methodcaller(x: int) -> int:
    operator.methodcaller("append", x)(seen)
    return x


def record_through_helper(x: int) -> int:
    return lost_writes_helpers.remember(x)


def mutate_item(item: list[int]) -> int:
    operator.methodcaller("append", 0)(item)
    return len(item)


def clean(x: int, table: dict[str, int] | None = None) -> int:
    return x + (len(table) if table else 0)
