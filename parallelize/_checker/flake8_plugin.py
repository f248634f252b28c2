"""flake8 plugin (entry point ``PAR``): the same analysis and messages as ``parallelize check``.

flake8 handles syntax errors itself and applies ``# noqa``; columns it expects are 0-based.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from parallelize._analysis import analyze_module


def _version() -> str:
    try:
        return metadata.version("parallelize")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "0.0.0"


class Plugin:
    """An AST plugin: flake8 passes the tree and the file's lines; ``run`` yields its findings."""

    name = "parallelize"
    version = _version()

    def __init__(self, tree: ast.AST, filename: str = "(none)", lines: list[str] | None = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        """Yield ``(line, col, "PAR101 message", type)`` for each default-selected finding."""
        source = "".join(self.lines) if self.lines is not None else ast.unparse(self.tree)
        for finding in analyze_module(source, self.filename).findings:
            if finding.rule.default:
                yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)
