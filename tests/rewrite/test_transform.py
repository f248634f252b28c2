"""The rewriter's AST copy: only the tree's own fields travel, whatever other tools attached to its nodes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from parallelize import parallel_for


@pytest.fixture
def parent_links_on_the_shared_nodes() -> Iterator[None]:
    """Do what IPython's traceback display does (``executing``/``stack_data``): parse a cell and link every node
    to its parent. CPython's parser shares one ``Load``, ``Store``, ``NotEq``... instance across all trees, so
    those singletons now point into that foreign tree."""
    tree = ast.parse("value = item if item != 3 else [other for other in items]")
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node  # type: ignore[attr-defined]
    yield
    for node in ast.walk(tree):
        node.__dict__.pop("parent", None)


# Regression (issue 15): after the first traceback shown in a notebook, every loop-mode decoration failed with
# RecursionError, because the copy followed the singletons' `parent` attribute into the foreign tree and back.
def test_loop_mode_decorates_after_another_tool_linked_the_shared_ast_nodes(
        parent_links_on_the_shared_nodes: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", str(tmp_path))  # analyse and rewrite afresh

    @parallel_for(backend="serial")
    def doubled_except_three(xs):
        out = []
        for x in xs:
            out.append(x if x == 3 else 2 * x)
        return out

    assert doubled_except_three(range(5)) == [0, 2, 4, 3, 8]
