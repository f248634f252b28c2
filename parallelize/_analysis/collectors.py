"""The allowed collection and reduction forms of a parallel loop body (DESIGN.md "What a parallel loop may do").

Collections: ``acc.append(e)``, ``acc.extend(e)``, ``acc.add(e)``, ``acc[k] = e``, ``acc.update(e)``, and the same
methods and stores on the element under a key, ``acc[k].append(e)``, ``acc[k][j] = e``.
Reductions: ``acc += e`` (also ``-= *= |= &=``), ``acc = acc + e`` (same operators), ``acc = max(acc, e)``
and ``min``. Each is applied in the parent in iteration order, so the result equals the serial loop's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from parallelize._analysis.scopes import NESTED_SCOPES, bindings_of, target_names

COLLECT_METHODS = frozenset({"append", "extend", "add", "update"})
#: Prefix of the kinds that collect into the element under a key (``acc[k].append(e)`` is ``"keyed-append"``,
#: ``acc[k][j] = e`` is ``"keyed-setitem"``):
#: replayed in the caller, in iteration order, as ``acc[k].append(e)`` with ``k`` and ``e`` evaluated in the
#: iteration, so ``acc[k]`` is looked up (a defaultdict fills it) where the serial loop would.
KEYED = "keyed-"
REDUCE_OPS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.BitOr: "|", ast.BitAnd: "&",
}
ANY_OPS: dict[type[ast.operator], str] = {
    **REDUCE_OPS, ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@",
}


@dataclass(frozen=True)
class Form:
    """A statement in collector or reduction shape.

    Attributes:
        name: The accumulator.
        kind: A collector kind (``"append"`` ...) or ``"reduce"``.
        op: The reduction operator (``""`` for collectors); may be one that is not allowed (``"/"``).
        values: The expressions the form combines in (``e``; ``k`` and ``e`` for ``setitem``).
        stmt: The statement.
    """

    name: str
    kind: str
    op: str
    values: tuple[ast.expr, ...]
    stmt: ast.stmt

    @property
    def allowed(self) -> bool:
        """Return whether the operator is one the rewriter can replay."""
        return self.kind != "reduce" or self.op in {*REDUCE_OPS.values(), "max", "min"}


def match_form(stmt: ast.stmt) -> Form | None:
    """Return the collector or reduction form of ``stmt``, if it has one."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in COLLECT_METHODS):
            return None
        count = len(call.args) + len(call.keywords)
        if not ((func.attr == "update" and count >= 1) or (len(call.args) == 1 and not call.keywords)):
            return None
        if any(isinstance(v, ast.Starred) for v in call.args):
            return None
        values = (*call.args, *(k.value for k in call.keywords))
        if isinstance(func.value, ast.Name):
            return Form(func.value.id, func.attr, "", values, stmt)
        receiver = func.value
        if (isinstance(receiver, ast.Subscript) and isinstance(receiver.value, ast.Name)
                and not isinstance(receiver.slice, (ast.Slice, ast.UnaryOp))):  # ``acc[k].append(e)``
            return Form(receiver.value.id, KEYED + func.attr, "", (receiver.slice, *values), stmt)
        return None  # ``res[-1].append(e)`` is the tail-append pattern's (patterns.py)
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        return Form(stmt.target.id, "reduce", ANY_OPS.get(type(stmt.op), "?"), (stmt.value,), stmt)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            return Form(target.value.id, "setitem", "", (target.slice, stmt.value), stmt)
        element = target.value if isinstance(target, ast.Subscript) else None
        if (isinstance(target, ast.Subscript) and isinstance(element, ast.Subscript)
                and isinstance(element.value, ast.Name)
                and not isinstance(element.slice, (ast.Slice, ast.UnaryOp))):  # ``acc[k][j] = e``
            return Form(element.value.id, KEYED + "setitem", "", (element.slice, target.slice, stmt.value), stmt)
        if isinstance(target, ast.Name):
            return _assign_reduction(target.id, stmt.value, stmt)
    return None


def keyed_alone(forms: dict[int, Form]) -> dict[int, Form]:
    """Return ``forms`` without the keyed ones (``acc[k].append(e)``) on an accumulator that other forms also
    change: with only keyed forms, every ``acc[k]`` is an element the caller's ``acc`` holds (or its default
    factory makes there), which the replay fills in iteration order as the serial loop does; an element another
    form put in (``acc.append(bucket)``) would be the worker's copy."""
    plain = {f.name for f in forms.values() if not f.kind.startswith(KEYED)}
    return {k: f for k, f in forms.items() if not (f.kind.startswith(KEYED) and f.name in plain)}


def _assign_reduction(name: str, value: ast.expr, stmt: ast.stmt) -> Form | None:
    if isinstance(value, ast.BinOp) and isinstance(value.left, ast.Name) and value.left.id == name:
        return Form(name, "reduce", ANY_OPS.get(type(value.op), "?"), (value.right,), stmt)
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in {"max", "min"}
        and len(value.args) == 2
        and not value.keywords
    ):
        first, second = value.args
        if isinstance(first, ast.Name) and first.id == name:
            return Form(name, "reduce", value.func.id, (second,), stmt)
        if isinstance(second, ast.Name) and second.id == name:
            return Form(name, "reduce", value.func.id, (first,), stmt)
    return None


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield every statement of ``body`` and of its blocks, not entering nested functions or classes."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, NESTED_SCOPES):
            continue
        for name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, name, None)
            if isinstance(block, list):
                stack.extend(reversed([s for s in block if isinstance(s, ast.stmt)]))
        for handler in getattr(stmt, "handlers", ()):
            stack.extend(reversed(handler.body))
        for case in getattr(stmt, "cases", ()):
            stack.extend(reversed(case.body))


def plain_bindings(body: list[ast.stmt], forms: dict[int, Form]) -> dict[str, int]:
    """Return names the body binds other than through reduction forms (name → first line)."""
    bound: dict[str, int] = {}
    for stmt in statements(body):
        form = forms.get(id(stmt))
        if form is not None and form.kind == "reduce":
            continue
        names: dict[str, int] = {}
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            names = dict.fromkeys(target_names(stmt.target), stmt.lineno)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    names.update(dict.fromkeys(target_names(item.optional_vars), stmt.lineno))
        elif isinstance(stmt, (ast.Try, ast.Match)) or type(stmt).__name__ == "TryStar":
            for handler in getattr(stmt, "handlers", ()):
                if handler.name:
                    names[handler.name] = handler.lineno
            for case in getattr(stmt, "cases", ()):
                names.update({n: b.line for n, b in bindings_of([ast.Expr(case.pattern)]).bindings.items()})
        elif isinstance(stmt, (ast.If, ast.While)):
            names = {n: b.line for n, b in bindings_of([ast.Expr(stmt.test)]).bindings.items()}
        else:
            names = {n: b.line for n, b in bindings_of([stmt]).bindings.items()}
        for name, line in names.items():
            bound.setdefault(name, line)
    return bound
