"""Output formats: text (ruff's concise lines), JSON (ruff's shape), SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

from collections.abc import Callable

from parallelize._checker import Report
from parallelize._checker.settings import Settings


def renderer(name: str) -> Callable[[Report, Settings], str]:
    """Return the render function of format ``name``."""
    if name == "json":
        from parallelize._checker.formats.json import render
    elif name == "sarif":
        from parallelize._checker.formats.sarif import render
    elif name == "github":
        from parallelize._checker.formats.github import render
    else:
        from parallelize._checker.formats.text import render
    return render
