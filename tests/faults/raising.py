"""Exceptions with awkward constructors, raised by tasks (importable by workers: classes travel by reference)."""

from __future__ import annotations

import threading
from typing import Any


class ValidationError(Exception):
    """pickle rebuilds exceptions as ``cls(*args)``: this ``__init__`` takes other arguments than ``args``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class KeywordOnlyError(Exception):
    def __init__(self, *, code: int) -> None:
        super().__init__(f"code {code}")
        self.code = code


class HoldsALock(Exception):
    """An attribute that cannot be pickled: the type, message and other attributes still arrive."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()
        self.detail = 42


def validate(row: int) -> int:
    if row < 0:
        raise ValidationError("amount", "must be >= 0")
    return row


def keyword_only(row: int) -> int:
    if row < 0:
        raise KeywordOnlyError(code=row)
    return row


def holds_a_lock(row: int) -> int:
    if row < 0:
        raise HoldsALock("locked out")
    return row


def add_note_and_raise(row: int) -> Any:
    error = ValidationError("row", str(row))
    error.add_note("checked by the validator")
    raise error
