"""Objects that pickle fine but cannot be rebuilt in another process (importable by workers, by reference)."""

from __future__ import annotations

import os
from typing import Any


class LoadsOnlyAtHome:
    """Unpickling raises in any process other than the one that pickled it."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.home = os.getpid()

    def __getstate__(self) -> dict[str, Any]:
        return {"value": self.value, "home": os.getpid()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["home"] != os.getpid():
            raise ValueError(f"cannot rebuild value {state['value']} here")
        self.__dict__.update(state)


def value_of(item: Any) -> int:
    return item.value if isinstance(item, LoadsOnlyAtHome) else int(item)


def result_for(x: int, bad: int = 2) -> Any:
    return LoadsOnlyAtHome(x) if x == bad else x
