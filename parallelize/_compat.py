"""Shims for Python 3.10: ``ExceptionGroup`` and ``BaseException.add_note``. Nothing else belongs here."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import builtins

    ExceptionGroup = builtins.ExceptionGroup
    BaseExceptionGroup = builtins.BaseExceptionGroup
else:  # pragma: no cover - exercised on 3.10 only
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup

__all__ = ["BaseExceptionGroup", "ExceptionGroup", "add_note"]


def add_note(exc: BaseException, note: str) -> None:
    """Attach ``note`` to ``exc`` (``add_note`` on 3.11+, the ``__notes__`` list on 3.10)."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
        return
    notes = getattr(exc, "__notes__", None)  # pragma: no cover - 3.10
    if notes is None:  # pragma: no cover
        notes = []
        try:
            exc.__notes__ = notes  # type: ignore[attr-defined]
        except AttributeError:
            return
    notes.append(note)  # pragma: no cover
