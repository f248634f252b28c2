"""The documentation site for tests: docs/hooks.py loaded as a module, and pages as the site shows them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def hooks() -> ModuleType:
    """Return docs/hooks.py, the mkdocs hook that fills the generated parts of the pages."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(name: str) -> str:
    """Return the Markdown of ``docs/<name>`` with its generated parts filled in, as mkdocs renders it."""
    return hooks().substitute((DOCS / name).read_text(encoding="utf-8"))
