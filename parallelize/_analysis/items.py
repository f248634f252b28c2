"""A proved pattern for a loop over a container of estimators that it fits: every iteration changes only its own
estimator, and nothing can see the estimators after the loop (:func:`owned_items`).

``models = [("forest", RandomForestClassifier(...)), ("svc", SVC())]`` before the loop, then
``for name, model in models: model.fit(X, y); scores[name] = model.score(X_test, y_test)``: the serial loop leaves
the list's estimators fitted; workers fit their own copies. The two agree on everything the program can see when
all of this holds:

1. **Distinct fresh estimators, reached only through the loop.** The container is bound once in the scope, before
   the loop, to a display (a list or tuple of estimators or of tuples of constants and estimators, or a dict of
   constant keys and estimators) whose estimators are constructor calls holding nothing mutable from outside
   (:func:`fresh.fresh_estimator`; ``warm_start`` is allowed: each estimator's fits all happen in its own
   iteration, in order). Each is its own object, and only the loop reaches it.
2. **The container never hands an estimator out.** Every other mention of it, in the scope or in a function or
   comprehension anywhere (the module's functions, for a module-level name), is ``len(c)``, a dict's keys
   (``sorted(c)``, ``list(c)``, ``c.keys()``), or the first iterable of a comprehension that does not use the
   estimator parts of its target (``{label: [] for label, _ in c}``). No ``global``/``nonlocal`` names it.
3. **Rebuilt for every pass.** A loop around this one binds the container again before it comes back, so no
   iteration of an enclosing loop sees estimators an earlier one fitted.

Then what an iteration does to its estimator, fitting or setting parameters, directly or through a helper, is that
iteration's own business, on processes and on threads alike (no two iterations share an estimator). An estimator
left to the global generator is still PAR602 (:func:`estimators.unseeded_items`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from parallelize._analysis.fresh import fresh_estimator
from parallelize._analysis.refits import (
    dynamic_namespace,
    enclosing_loops,
    node_ids,
    single_binding,
    targets_read_after,
)
from parallelize._analysis.scopes import target_names

#: Effects on the loop's own estimator that the pattern makes private to the iteration.
ITEM_CHANGES = frozenset({"method-call-statement", "unknown-call", "attribute-store", "helper-method-call",
                          "call-mutates", "mutating-call", "helper-mutation"})
_KEY_READS = frozenset({"sorted", "list", "set", "tuple"})


def owned_items(loop: ast.For, scope: ast.AST, qualify: Callable[[str], str], inert: Callable[[str], bool],
                module: ast.Module) -> tuple[str, list[ast.expr]] | None:
    """Return the name of the container whose estimators ``loop`` owns (module docstring) and the constructor calls
    of those estimators, or ``None``."""
    name, method = _container(loop.iter)
    if name is None:
        return None
    body = getattr(scope, "body", [])
    binding = single_binding(body, name, loop, (ast.List, ast.Tuple, ast.Dict))
    if binding is None or (method == "items" and not isinstance(binding.value, ast.Dict)):
        return None
    parts = _estimator_positions(binding.value, method, qualify, inert)
    if parts is None:
        return None
    if any(id(binding) not in node_ids(outer) for outer in enclosing_loops(body, loop)):
        return None
    where = module if isinstance(scope, ast.Module) else scope
    if targets_read_after(body, loop, _held_names(loop.target, parts)) or dynamic_namespace(where) or loop.orelse:
        return None  # the serial loop leaves the last estimator, fitted, in the target; `locals()` may reach it
    keys_only = isinstance(binding.value, ast.Dict)  # iterating a dict gives its constant keys
    for node in ast.walk(where):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and not _comprehension_ok(
            node, name, set() if keys_only else parts
        ):
            return None
    parents = {id(child): node for node in ast.walk(where) for child in ast.iter_child_nodes(node)}
    header = {id(n) for n in ast.walk(loop.iter)}
    for node in ast.walk(where):
        if not (isinstance(node, ast.Name) and node.id == name) or node is binding.targets[0] or id(node) in header:
            continue
        if not _harmless(node, parents.get(id(node)), parents, keys_only):
            return None
    return name, _estimators(binding.value, parts)


def _held_names(target: ast.expr, parts: set[int]) -> set[str]:
    """The names of the loop's target that hold an estimator (``parts``: :func:`_estimator_positions`)."""
    if -1 in parts or not isinstance(target, ast.Tuple):
        return set(target_names(target))
    return {n for i, e in enumerate(target.elts) if i in parts for n in target_names(e)}


def _estimators(value: ast.expr, parts: set[int]) -> list[ast.expr]:
    """The estimator constructor calls of the container's display (``parts``: :func:`_estimator_positions`)."""
    if isinstance(value, ast.Dict):
        return [v for v in value.values if v is not None]
    elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) else []
    if -1 in parts:
        return list(elements)
    return [e.elts[i] for e in elements if isinstance(e, ast.Tuple) for i in parts if i < len(e.elts)]


def _container(node: ast.expr) -> tuple[str | None, str | None]:
    """``c`` → ``("c", None)``; ``c.items()`` / ``c.values()`` → ``("c", "items" / "values")``."""
    if isinstance(node, ast.Name):
        return node.id, None
    if (isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"items", "values"} and isinstance(node.func.value, ast.Name)):
        return node.func.value.id, node.func.attr
    return None, None


def _estimator_positions(value: ast.expr, method: str | None, qualify: Callable[[str], str],
                         inert: Callable[[str], bool]) -> set[int] | None:
    """The positions of estimators in the container's elements (``{1}`` for ``[("a", SVC()), ...]``, ``{-1}`` for
    elements that are estimators themselves), or ``None`` when the display is not of the pattern's shape."""
    def estimator(e: ast.expr) -> bool:
        return fresh_estimator(e, qualify, inert, warm=True)

    if isinstance(value, ast.Dict):
        if method is None or any(k is None or not isinstance(k, ast.Constant) for k in value.keys):
            return None
        if not value.values or not all(estimator(v) for v in value.values):
            return None
        return {1} if method == "items" else {-1}
    assert isinstance(value, (ast.List, ast.Tuple))
    if method is not None or not value.elts:
        return None
    positions: set[int] = set()
    for element in value.elts:
        if estimator(element):
            positions.add(-1)
        elif isinstance(element, ast.Tuple):
            for i, part in enumerate(element.elts):
                if estimator(part):
                    positions.add(i)
                elif not isinstance(part, ast.Constant):
                    return None
        else:
            return None
    return positions if positions and (positions == {-1} or -1 not in positions) else None


def _comprehension_ok(node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, name: str,
                      parts: set[int]) -> bool:
    """A comprehension that mentions the container only as its first iterable, and uses no estimator part
    (``parts``: the estimator positions of an element; ``{-1}``, the element itself; empty, a dict's keys)."""
    mentions = [n for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name]
    if not mentions:
        return True
    first = node.generators[0]
    if not (isinstance(first.iter, ast.Name) and first.iter.id == name and len(mentions) == 1):
        return False
    target = first.target
    if not parts:
        held: set[str] = set()
    elif -1 in parts or not isinstance(target, ast.Tuple):
        held = set(target_names(target))  # the whole element holds an estimator
    else:
        held = {n for i, e in enumerate(target.elts) if i in parts for n in target_names(e)}
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return not (held & used)


def _harmless(node: ast.Name, parent: ast.AST | None, parents: dict[int, ast.AST], keys_only: bool) -> bool:
    """``len(c)``, a dict's keys, or a comprehension's first iterable (judged by :func:`_comprehension_ok`)."""
    if isinstance(parent, ast.comprehension) and parent.iter is node:
        return True
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.args == [node] \
            and not parent.keywords:
        return parent.func.id == "len" or (keys_only and parent.func.id in _KEY_READS)
    if keys_only and isinstance(parent, ast.Attribute) and parent.attr == "keys":
        call = parents.get(id(parent))
        return isinstance(call, ast.Call) and call.func is parent and not call.args
    return False
