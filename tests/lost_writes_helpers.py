"""A helper in another module that keeps what it sees in its own module-level list."""

from __future__ import annotations

memory: list[int] = []


def remember(x: int) -> int:
    memory.append(x)
    return x
