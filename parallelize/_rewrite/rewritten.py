"""The result of a loop rewrite, apart from the rewriter itself: importing this module does not import the
analysis, so a rewrite loaded from the disk cache (``cache.py``) costs no more than reading it."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any

__all__ = ["Rewritten", "owner_class_name"]


@dataclass(frozen=True)
class Rewritten:
    """The compiled pieces, independent of any one function object (so they can be cached and reused)."""

    func_code: types.CodeType
    body_code: types.CodeType
    env_names: tuple[str, ...]
    live_names: tuple[str, ...]

    def body_for(self, fn: types.FunctionType) -> types.FunctionType:
        """The per-iteration function, in ``fn``'s globals."""
        body = types.FunctionType(self.body_code, fn.__globals__, "_pz_body")
        body.__qualname__ = f"{fn.__qualname__}.<loop body>"
        body.__module__ = fn.__module__
        return body

    def function_for(self, fn: types.FunctionType, plan: Any) -> types.FunctionType:
        """The replacement for ``fn``: same globals, defaults and closure cells, plus the plan's cell."""
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False))
        closure = tuple(types.CellType(plan) if name == "_pz_plan" else cells[name]
                        for name in self.func_code.co_freevars)
        new = types.FunctionType(self.func_code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
        new.__kwdefaults__ = fn.__kwdefaults__
        new.__qualname__ = fn.__qualname__
        new.__module__ = fn.__module__
        new.__doc__ = fn.__doc__
        return new


def owner_class_name(fn: types.FunctionType) -> str | None:
    """The class a method was defined in (for private-name mangling), or None."""
    parts = fn.__qualname__.split(".")
    if len(parts) >= 2 and parts[-2] != "<locals>":
        return parts[-2]
    return None
