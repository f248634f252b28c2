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


class Model:
    """Methods decorated to always reach process workers (batch_size=1), and a plain one to wrap later."""

    factor = 3

    def __init__(self, w: int) -> None:
        self.w = w

    @parallel_for(loop=False, batch_size=1, n_jobs=2)
    def predict(self, x: int) -> int:
        return self.w * x

    @parallel_for(loop=False, batch_size=1, n_jobs=2)
    @classmethod
    def scale(cls, x: int) -> int:
        return cls.factor * x

    @parallel_for(loop=False, batch_size=1, n_jobs=2)
    @staticmethod
    def negate(x: int) -> int:
        return -x

    def plain_predict(self, x: int) -> int:
        return self.w * x

    @parallel_for(loop=False, batch_size=1, n_jobs=2)
    def fail(self, x: int) -> int:
        raise ValueError(f"bad {x}")


def describe(x: int, self: object = None, items: object = None, fn: object = None, args: object = None,
             kwargs: object = None) -> tuple[object, ...]:
    """Parameters named like the wrapper's own (``self``, ``items``, ``fn``, ...): each must pass by keyword."""
    return (x, self, items, fn, args, kwargs)
