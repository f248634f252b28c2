"""Decorated functions and methods at module level, importable by workers (pickling by reference)."""

from __future__ import annotations

from parallelize import io_bound, parallel_for


@parallel_for(n_jobs=2)
def cube(x: int) -> int:
    """Return x cubed."""
    return x**3


@io_bound
def shout(text: str, suffix: str = "!") -> str:
    """Upper-case text."""
    return text.upper() + suffix


class Scaler:
    factor_cls = 10

    def __init__(self, factor: int) -> None:
        self.factor = factor

    @parallel_for(n_jobs=2)
    def scale(self, x: int) -> int:
        """Scale by the instance factor."""
        return x * self.factor

    @parallel_for(n_jobs=2)
    @staticmethod
    def twice(x: int) -> int:
        return 2 * x

    @parallel_for(n_jobs=2)
    @classmethod
    def by_class(cls, x: int) -> int:
        return x * cls.factor_cls
