"""Bindings per scope (pyflakes-style): which names a statement list binds, where, and what to.

Nested functions, classes, lambdas and comprehensions are separate scopes and are not entered, except that an
assignment expression (``:=``) inside a comprehension binds in the enclosing scope, as Python does.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
TERMINATORS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
# Constructors whose objects are meant to be shared between workers (queues, manager proxies, locks).
SYNC_TYPES = frozenset(
    {"Queue", "SimpleQueue", "JoinableQueue", "LifoQueue", "PriorityQueue", "Value", "Array", "Lock", "RLock",
     "Event", "Semaphore", "BoundedSemaphore", "Condition", "Barrier", "Manager", "SyncManager", "local"}
)
LOCK_TYPES = frozenset({"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"})


@dataclass(frozen=True)
class Binding:
    """The first binding of a name in a scope.

    Attributes:
        name: The bound name.
        line: Line of the first binding.
        kind: ``"assign"``, ``"import"``, ``"def"``, ``"class"``, ``"parameter"``, ``"loop"``, ``"with"``...
        value: The assigned expression when the binding is a plain assignment.
    """

    name: str
    line: int
    kind: str
    value: ast.expr | None = None


def target_names(target: ast.AST) -> Iterator[str]:
    """Yield the plain names an assignment target binds (``a, *b = ...`` binds ``a`` and ``b``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


def dotted_name(node: ast.AST) -> str:
    """Return ``"np.random.seed"`` for a Name/Attribute chain, the callee's name for a call, else ``""``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):
        return dotted_name(node.func)
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def root_name(node: ast.AST) -> ast.Name | None:
    """Return the Name at the root of ``a.b[c].d``, or ``None`` (calls and literals have no root)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def is_sync_value(value: ast.expr | None) -> bool:
    """Return whether ``value`` constructs a queue, lock, manager or manager proxy."""
    if not isinstance(value, ast.Call):
        return False
    name = dotted_name(value.func)
    last = name.rsplit(".", 1)[-1]
    if last in SYNC_TYPES:
        return True
    receiver = name.rsplit(".", 1)[0].lower()
    return last in {"dict", "list", "Namespace"} and ("manager" in receiver or receiver in {"m", "mgr"})


def is_lock_value(name: str, value: ast.expr | None) -> bool:
    """Return whether the name looks like a lock: built by ``Lock()``-like calls or named ``*lock*``."""
    if isinstance(value, ast.Call) and dotted_name(value.func).rsplit(".", 1)[-1] in LOCK_TYPES:
        return True
    return "lock" in name.lower()


class Binder(ast.NodeVisitor):
    """Collect the bindings of one scope's statements in source order, without entering nested scopes."""

    def __init__(self) -> None:
        self.bindings: dict[str, Binding] = {}
        self.declared_global: set[str] = set()
        self.declared_nonlocal: set[str] = set()

    def bind(self, name: str, line: int, kind: str, value: ast.expr | None = None) -> None:
        """Record ``name`` unless an earlier binding exists."""
        if name not in self.bindings:
            self.bindings[name] = Binding(name, line, kind, value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            for name in target_names(target):
                self.bind(name, node.lineno, "assign", node.value if isinstance(target, ast.Name) else None)
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            for name in target_names(node.target):
                self.bind(name, node.lineno, "assign", node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        for name in target_names(node.target):
            self.bind(name, node.lineno, "assign")

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self.bind(node.target.id, node.lineno, "assign", node.value)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        for name in target_names(node.target):
            self.bind(name, node.lineno, "loop")
        for stmt in (*node.body, *node.orelse):
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                for name in target_names(item.optional_vars):
                    self.bind(name, node.lineno, "with", item.context_expr)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name, node.lineno, "except")
        for stmt in node.body:
            self.visit(stmt)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.bind((alias.asname or alias.name).split(".")[0], node.lineno, "import")

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for deco in node.decorator_list:
            self.visit(deco)
        self.bind(node.name, node.lineno, "def")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node.name, node.lineno, "class")

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_Global(self, node: ast.Global) -> None:
        self.declared_global.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.declared_nonlocal.update(node.names)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.bind(node.name, node.lineno, "match")
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, node.lineno, "match")

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.bind(node.rest, node.lineno, "match")
        self.generic_visit(node)


def bindings_of(stmts: Iterable[ast.stmt]) -> Binder:
    """Return a :class:`Binder` that has visited ``stmts``."""
    binder = Binder()
    for stmt in stmts:
        binder.visit(stmt)
    return binder


def parameters(func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> dict[str, Binding]:
    """Return the parameters of ``func``; a parameter with a mutable literal default has kind ``"default"``."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr] = dict(zip([a.arg for a in positional[::-1]], args.defaults[::-1], strict=False))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is not None})
    result: dict[str, Binding] = {}
    every = [*positional, *args.kwonlyargs]
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    for arg in every:
        default = defaults.get(arg.arg)
        mutable = isinstance(default, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
            isinstance(default, ast.Call) and dotted_name(default.func) in {"list", "dict", "set", "defaultdict"}
        )
        result[arg.arg] = Binding(arg.arg, arg.lineno, "default" if mutable else "parameter", default)
    return result


def definitely_bound(stmts: Iterable[ast.stmt], start: set[str] | None = None) -> set[str] | None:
    """Return the names certainly bound after running ``stmts``; ``None`` when they always jump away.

    ``None`` acts as "everything" when branches are merged: a branch ending in ``return``, ``raise``,
    ``continue`` or ``break`` does not reach the merge point.
    """
    bound = set(start or ())
    for stmt in stmts:
        if isinstance(stmt, TERMINATORS):
            return None
        if isinstance(stmt, ast.If):
            body = definitely_bound(stmt.body, bound)
            other = definitely_bound(stmt.orelse, bound)
            merged = _merge(body, other)
            if merged is None:
                return None
            bound = merged
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    bound.update(target_names(item.optional_vars))
            inner = definitely_bound(stmt.body, bound)
            if inner is None:
                return None
            bound = inner
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            branches = [definitely_bound([*stmt.body, *stmt.orelse], bound)]  # type: ignore[attr-defined]
            branches += [definitely_bound(h.body, bound) for h in stmt.handlers]  # type: ignore[attr-defined]
            merged = None
            for branch in branches:
                merged = _merge(merged, branch) if merged is not None else branch
            final = definitely_bound(stmt.finalbody, merged if merged is not None else bound)  # type: ignore[attr-defined]
            if merged is None or final is None:
                return None
            bound = final
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While, ast.Match)):
            continue  # may run zero times (or no case may match): binds nothing for certain
        else:
            bound.update(bindings_of([stmt]).bindings)
    return bound


def _merge(left: set[str] | None, right: set[str] | None) -> set[str] | None:
    if left is None:
        return right
    if right is None:
        return left
    return left & right


def loads(node: ast.AST) -> Iterator[ast.Name]:
    """Yield every ``Name`` read in ``node``, nested scopes included (closures read at definition)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            yield child
