"""Values the analysis can prove immutable: an outer name bound once, in this module, to a number, a string, a
tuple of those, or a collection whose elements are (``alphas = [0.1, 1.0]``, ``np.logspace(-3, 3, 7)``,
``range(5)``), and that nothing changes afterwards.

No call can change such an object, so passing it to a call the analysis does not know is no possible mutation
(PAR109): ``HuberRegressor(epsilon=epsilon)`` for ``epsilon`` in ``[1.35, 1.5]`` is accepted, whatever the callee.
Not random generators either: ``random_state=seed`` with such a value is a fixed seed.

Known problems: a module-level name rebound from another module (``example.alphas = ...``), or a list of them
given a mutable element by a function it is passed to, is not seen.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable

from parallelize._analysis.catalogue import MUTATING_METHODS
from parallelize._analysis.globalstate import conventional
from parallelize._analysis.scopes import dotted_name, root_name

#: Builtins whose result is immutable (when not shadowed).
_IMMUTABLE_BUILTINS = frozenset({"int", "float", "str", "bool", "len", "complex", "repr", "format", "hash", "ord",
                                 "chr", "hex", "bin", "oct"})
#: numpy functions that build a one-dimensional numeric array (its elements are numpy scalars) from numbers.
_NUMERIC_RANGES = frozenset({"numpy.linspace", "numpy.logspace", "numpy.geomspace", "numpy.arange"})


def changes_of(tree: ast.Module) -> Counter[str]:
    """Count, per name, what may rebind or change its object anywhere in ``tree``: every binding (assignment,
    ``for``/``with``/``except``/``import`` target, parameter, ``def``, ``del``, ``global``/``nonlocal``), and
    every store into it, mutating method call on it or augmented assignment through it."""
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            counts[node.id] += 1
        elif isinstance(node, ast.arg):
            counts[node.arg] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            counts[node.name] += 1
        elif isinstance(node, ast.alias):
            counts[(node.asname or node.name).split(".")[0]] += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            counts.update(dict.fromkeys(node.names, 2))
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            counts[node.name] += 1
        elif isinstance(node, ast.MatchMapping) and node.rest:
            counts[node.rest] += 1
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            root = root_name(node)
            if root is not None:
                counts[root.id] += 2
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr in MUTATING_METHODS or node.func.attr.startswith("__i")
        ):
            root = root_name(node.func.value)
            if root is not None:
                counts[root.id] += 2
    return counts


def immutable(value: ast.expr | None, is_builtin: Callable[[str], bool],
              bound_to: Callable[[str], ast.expr | None] = lambda _name: None, depth: int = 0) -> bool:
    """Return whether evaluating ``value`` always gives an immutable object (a number, string, bytes, ``None``,
    or a tuple or f-string of those, or a name ``bound_to`` says was bound once, and never changed, to one)."""
    if isinstance(value, ast.Name):
        return depth < 4 and immutable(bound_to(value.id), is_builtin, bound_to, depth + 1)
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.JoinedStr):
        return True
    if isinstance(value, ast.Tuple):
        return all(immutable(e, is_builtin, bound_to, depth) for e in value.elts)
    if isinstance(value, ast.UnaryOp):
        return immutable(value.operand, is_builtin, bound_to, depth)
    if isinstance(value, ast.BinOp):
        return immutable(value.left, is_builtin, bound_to, depth) and immutable(value.right, is_builtin, bound_to,
                                                                                 depth)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _IMMUTABLE_BUILTINS:
        return is_builtin(value.func.id)
    return False


def immutable_elements(value: ast.expr | None, qualify: Callable[[str], str], is_builtin: Callable[[str], bool],
                       bound_to: Callable[[str], ast.expr | None] = lambda _name: None) -> bool:
    """Return whether every element of the collection ``value`` builds is immutable: a list, tuple or set display
    of immutable values, ``range(...)``, or a numpy range of numbers (``np.linspace(0, 1, 5)``)."""
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return all(immutable(e, is_builtin, bound_to) for e in value.elts)
    if not isinstance(value, ast.Call) or not all(k.arg for k in value.keywords):
        return False
    dotted = dotted_name(value.func)
    if dotted == "range":
        return is_builtin("range")
    qualified = conventional(qualify(dotted)) if dotted else ""
    if qualified == "numpy.arange":
        return True
    return qualified in _NUMERIC_RANGES and all(
        isinstance(a, ast.Constant) or (isinstance(a, ast.UnaryOp) and isinstance(a.operand, ast.Constant))
        for a in (*value.args, *(k.value for k in value.keywords))
    ) and all(k.arg != "dtype" for k in value.keywords)


def fixed_mapping(value: ast.expr | None, is_builtin: Callable[[str], bool]) -> bool:
    """Return whether ``**value`` passes no ``random_state`` other than an immutable one: a dict display or
    ``dict(k=v, ...)`` with constant keys whose ``random_state``, if any, is immutable."""
    if isinstance(value, ast.Dict):
        if any(k is None or not isinstance(k, ast.Constant) for k in value.keys):
            return False
        pairs = [(k.value, v) for k, v in zip(value.keys, value.values, strict=True) if isinstance(k, ast.Constant)]
    elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict"
          and is_builtin("dict") and not value.args and all(k.arg for k in value.keywords)):
        pairs = [(k.arg, k.value) for k in value.keywords]
    else:
        return False
    return all(immutable(v, is_builtin) for k, v in pairs if k == "random_state")


def fixed_mappings(value: ast.expr | None, is_builtin: Callable[[str], bool]) -> bool:
    """Return whether every element of the collection ``value`` builds is a :func:`fixed_mapping`."""
    return isinstance(value, (ast.List, ast.Tuple)) and all(fixed_mapping(e, is_builtin) for e in value.elts)
