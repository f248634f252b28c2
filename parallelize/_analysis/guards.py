"""What the proved estimator patterns (refits.py, items.py) may give the estimator they reset.

Their ``set_params(k=v)`` calls and ``clf.k = v`` assignments are accepted as a reset, which drops the facts a
call on an outer object would otherwise give. The values must then not be something the estimator's fit changes
in the caller: a random generator object given as ``random_state`` (every fit advances it), or any outer object
given to a pipeline or feature union (``pipe.set_params(svc=model)``: they fit their steps in place). Such a value
is reported as PAR109 on the value itself, unless it is provably immutable (a constant, or an outer name bound to
one or iterating over them: ``for c in [0.1, 1.0]: clf.set_params(C=c)``). The same holds for any key: an outer
object or callback given as a parameter (``scoring=scorer``, ``svc=shared.base_model``) may be changed, kept or
called by the fit, and is PAR109 too, as is a name imported from outside scikit-learn, numpy, scipy and math.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

from parallelize._analysis.estimators import IN_PLACE_FITTERS, estimator_class
from parallelize._analysis.expressions import ExpressionEffects
from parallelize._analysis.facts import Owner
from parallelize._analysis.fresh import TRUSTED_LIBRARIES, random_module
from parallelize._analysis.globalstate import CONVENTIONAL_ALIASES, conventional
from parallelize._analysis.refits import ESTIMATOR_CONSUMERS, ESTIMATOR_READS
from parallelize._analysis.scopes import dotted_name
from parallelize._analysis.soundness import fixed_value


def guard_parameters(walker: ExpressionEffects, built: Sequence[ast.expr], settings: Sequence[ast.AST],
                     qualify: Callable[[str], str], imported: Callable[[str], bool]) -> None:
    """Emit PAR109 (``unknown-call``) for each value of ``settings`` that the fit of an estimator ``built`` by one
    of those constructor calls may change (module docstring)."""
    for setting, key, value in _pairs(settings):
        step = any(_replaces_step(e, key, qualify) for e in built)
        what = ("a pipeline fits the steps it is given in place" if step
                else "every fit advances a random generator given as `random_state`"
                if key.rsplit("__", maxsplit=1)[-1] == "random_state"
                else "its fit may change it, keep it or call back into it")
        owner = _changeable(walker, value)
        if owner is not None and owner.kind == "item" and not step and "random_state" not in what:
            owner = None  # an element of what the loop iterates, given as a setting (`n_estimators=i`)
        if owner is not None:
            walker.emit("unknown-call", value, owner, stmt=ast.unparse(setting)[:60],
                        how=f"it is given to an estimator the loop refits: {what}")
            continue
        foreign = _foreign(value, qualify, imported)
        if foreign is not None:
            walker.emit("unknown-call", value, stmt=ast.unparse(setting)[:60], bound=f"`{foreign}`",
                        how=f"it is given to an estimator the loop refits: {what}")


#: Methods of the loop's own estimator that take data, not parts to keep.
_DATA_METHODS = frozenset({"fit", "fit_transform", "fit_predict", "partial_fit", "set_params", *ESTIMATOR_READS})


def guard_items(walker: ExpressionEffects, loop: ast.For, items: set[str], qualify: Callable[[str], str],
                imported: Callable[[str], bool]) -> None:
    """Emit PAR109 for a call of the owned-estimators loop (items.py) that hands an outer object to the loop's own
    estimator other than as data: ``m.steps.append(("clf", final))``, ``with_final(m, final)``. The estimator
    would hold (and fit) the caller's object in the serial loop, and a copy of it in a worker."""
    for stmt in loop.body:
        for call in ast.walk(stmt):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in items \
                    and func.attr in _DATA_METHODS:
                continue
            dotted = dotted_name(func)
            if dotted and qualify(dotted).rpartition(".")[2] in ESTIMATOR_CONSUMERS:
                continue
            root = func.value if isinstance(func, ast.Attribute) else None
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            on_item = isinstance(root, ast.Name) and root.id in items
            if not (on_item or any(_holds(given, items) for given in (*call.args, *(k.value for k in call.keywords)))):
                continue  # the call is given neither the estimator nor a part of it
            for given in (*call.args, *(k.value for k in call.keywords)):
                if _holds(given, items):
                    continue
                owner = _changeable(walker, given)
                if owner is not None and not on_item and not _estimator_value(owner, qualify):
                    owner = None  # data or settings given to a helper along with the estimator
                foreign = _foreign(given, qualify, imported) if owner is None else None
                if owner is not None or foreign is not None:
                    walker.emit("unknown-call", given, owner, stmt=ast.unparse(call)[:60],
                                **({"bound": f"`{foreign}`"} if foreign else {}),
                                how="it hands an outer object to the loop's own estimator, which may keep and fit it")
                    break


def _estimator_value(owner: Owner, qualify: Callable[[str], str]) -> bool:
    """The outer name was bound to a scikit-learn constructor call (an estimator the helper may put in)."""
    value = owner.value
    return isinstance(value, ast.Call) and estimator_class(conventional(qualify(dotted_name(value.func) or ""))) \
        is not None


def _holds(node: ast.expr, names: set[str]) -> bool:
    """``node`` is one of ``names``, a part of one (``m.steps``), or a display holding one."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_holds(e, names) for e in node.elts)
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return isinstance(node, ast.Name) and node.id in names


def _fits_in_place(expr: ast.expr, qualify: Callable[[str], str]) -> bool:
    dotted = dotted_name(expr.func) if isinstance(expr, ast.Call) else ""
    if not dotted:
        return False
    short = dotted.rpartition(".")[2]
    return short in IN_PLACE_FITTERS or estimator_class(conventional(qualify(dotted))) in IN_PLACE_FITTERS


def _replaces_step(expr: ast.expr, key: str, qualify: Callable[[str], str]) -> bool:
    """Whether ``set_params(key=...)`` on what ``expr`` builds may put its value in as a step of a pipeline or
    feature union (``svc=model``, ``steps=[...]``, ``inner__svc=model`` for a nested pipeline), rather than set a
    parameter of a step (``svc__C=1.0``). Steps whose names cannot be read count as replaced."""
    node: ast.expr | None = expr
    parts = key.split("__")
    for i, part in enumerate(parts):
        while (isinstance(node, ast.Call) and len(node.args) == 1
               and (dotted_name(node.func) or "").rpartition(".")[2] == "clone"):
            node = node.args[0]  # `clone(make_pipeline(...))` has the steps of what it copies
        if node is None:
            return True
        if not _fits_in_place(node, qualify):
            return False  # a plain estimator: the rest of the key is one of its parameters
        steps = _steps(node)
        if steps is None or i == len(parts) - 1:
            return True
        node = steps.get(part)
    return False


def _steps(expr: ast.expr) -> dict[str, ast.expr | None] | None:
    """The steps of ``make_pipeline(a, b)`` (named by their lowercased class) or ``Pipeline([("a", a), ...])``, by
    name; ``None`` when the names cannot be read."""
    if not isinstance(expr, ast.Call):
        return None
    short = (dotted_name(expr.func) or "").rpartition(".")[2]
    if short in {"make_pipeline", "make_union"}:
        names = [(dotted_name(a.func) or "").rpartition(".")[2].lower() if isinstance(a, ast.Call) else ""
                 for a in expr.args]
        if not all(names) or len(set(names)) != len(names) or any(isinstance(a, ast.Starred) for a in expr.args):
            return None
        return dict(zip(names, expr.args, strict=True))
    given = expr.args[0] if expr.args else next((k.value for k in expr.keywords
                                                 if k.arg in {"steps", "transformer_list"}), None)
    if not isinstance(given, (ast.List, ast.Tuple)):
        return None
    steps: dict[str, ast.expr | None] = {}
    for element in given.elts:
        if not (isinstance(element, ast.Tuple) and len(element.elts) == 2 and isinstance(element.elts[0], ast.Constant)
                and isinstance(element.elts[0].value, str)):
            return None
        steps[element.elts[0].value] = element.elts[1]
    return steps


def _pairs(settings: Sequence[ast.AST]) -> list[tuple[ast.AST, str, ast.expr]]:
    """``(setting, key, value)`` of each ``set_params`` keyword and ``obj.key = value`` assignment."""
    found: list[tuple[ast.AST, str, ast.expr]] = []
    for setting in settings:
        node = setting.value if isinstance(setting, ast.Expr) else setting
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "set_params":
            found += [(node, k.arg or "**", k.value) for k in node.keywords]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            found.append((node, node.targets[0].attr, node.value))
    return found


def _foreign(value: ast.expr, qualify: Callable[[str], str], imported: Callable[[str], bool]) -> str | None:
    """The first name ``value`` reads that is imported from outside scikit-learn, numpy, scipy and math (an
    object another module holds, or a callback: ``set_params(svc=shared.base_model)``), or a global generator."""
    for node in ast.walk(value):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            dotted = dotted_name(node)
            root = dotted.partition(".")[0]
            if not dotted or not (imported(root) or root in CONVENTIONAL_ALIASES):
                continue  # not an import (an outer name is `_changeable`'s)
            qualified = conventional(qualify(dotted))
            if qualified.split(".")[0] not in TRUSTED_LIBRARIES or random_module(qualified):
                return dotted
    return None


def _changeable(walker: ExpressionEffects, value: ast.expr) -> Owner | None:
    """The first outer object ``value`` reads that is not provably immutable (a callee is not counted)."""
    callees = {id(n.func) for n in ast.walk(value) if isinstance(n, ast.Call)}
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in callees:
            owner = walker.owner_of(node)
            if owner is not None and not fixed_value(walker, owner):
                return owner
    return None
