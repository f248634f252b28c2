"""Find loops: candidate top-level loops of a function, every loop of a module, and what is bound before one.

A candidate loop is a ``for`` statement at the top of a function body, possibly inside ``with``, ``if``, ``try``
or ``match`` blocks, never inside another loop or a nested function; ``loop=N`` counts them from 1 in source
order.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Literal

from parallelize._analysis.scopes import bindings_of, definitely_bound, target_names

Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """Yield the statement lists directly inside ``stmt`` (bodies of compound statements)."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body


def candidate_loops(body: list[ast.stmt]) -> list[ast.For]:
    """Return the top-level ``for`` loops of a function body, in source order."""
    found: list[ast.For] = []
    stack: list[ast.stmt] = list(reversed(body))
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.For):
            found.append(stmt)
        elif isinstance(stmt, (ast.With, ast.AsyncWith, ast.If, ast.Try, ast.Match)) or (
            type(stmt).__name__ == "TryStar"
        ):
            inner = [s for block in blocks(stmt) for s in block]
            stack.extend(reversed(inner))
    return found


def choose_loop(loops: list[ast.For], option: object) -> ast.For | Literal["several"] | None:
    """The loop that ``loop=option`` of the decorator picks among a function's candidate ``loops``.

    The decorator's own vocabulary: ``None`` (the default) and ``True`` pick the only loop, ``N`` the N-th counting
    from 1, ``False`` none (map mode). Returns the loop, None when there is none to pick (map mode; or, for an
    ``N`` past the last loop, an error the decorator raises), or ``"several"`` when there are several and
    ``option`` does not say which (PAR205). Loop mode and the checker both choose with this function.
    """
    if option is False:
        return None
    if option is None or option is True:
        if len(loops) > 1:
            return "several"
        return loops[0] if loops else None
    if isinstance(option, int) and 1 <= option <= len(loops):
        return loops[option - 1]
    return None


def all_loops(tree: ast.Module) -> Iterator[tuple[ast.For, Scope]]:
    """Yield every ``for`` loop of a module with its enclosing scope (function, class or module)."""
    stack: list[tuple[ast.AST, Scope]] = [(tree, tree)]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.append((child, child))
                continue
            if isinstance(child, ast.For):
                yield child, scope
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                stack.append((child, scope))


def path_to(body: list[ast.stmt], target: ast.stmt) -> list[tuple[list[ast.stmt], int, ast.stmt | None]] | None:
    """Return the chain of (block, index, container) from ``body`` down to ``target``, or ``None``."""
    for index, stmt in enumerate(body):
        if stmt is target:
            return [(body, index, None)]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if not (stmt.lineno <= target.lineno <= (stmt.end_lineno or stmt.lineno)):
            continue
        for block in blocks(stmt):
            sub = path_to(block, target)
            if sub is not None:
                return [(body, index, stmt), *sub]
    return None


def bound_before(
    body: list[ast.stmt], loop: ast.stmt, start: set[str]
) -> tuple[set[str], dict[str, int]]:
    """Return (names certainly bound before ``loop``, every name bound before it in source order → line)."""
    definite = set(start)
    path = path_to(body, loop) or []
    for block, index, container in path:
        result = definitely_bound(block[:index], definite)
        definite = result if result is not None else definite
        if isinstance(container, (ast.With, ast.AsyncWith)):
            for item in container.items:
                if item.optional_vars is not None:
                    definite.update(target_names(item.optional_vars))
        elif isinstance(container, (ast.For, ast.AsyncFor)):
            definite.update(target_names(container.target))
    possible = {
        name: b.line for name, b in bindings_of(body).bindings.items() if b.line < loop.lineno
    }
    return definite, possible
