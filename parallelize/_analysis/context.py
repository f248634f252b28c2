"""Module-wide context: scopes, bindings, function lookup and one-level summaries of same-module functions."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from parallelize._analysis.collectors import statements
from parallelize._analysis.effects import EffectWalker
from parallelize._analysis.estimators import filled_seeds, filled_values
from parallelize._analysis.facts import Owner
from parallelize._analysis.region import Region, Summary
from parallelize._analysis.scopes import Binder, Binding, bindings_of, is_lock_value, is_sync_value, parameters
from parallelize._analysis.sharing import is_shared_value
from parallelize._analysis.values import changes_of

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
ScopeNode = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda


def owner_from(binding: Binding, kind: str, offset: int = 0) -> Owner | None:
    """Return the :class:`Owner` for an outer binding (``None`` for imports: modules are not task state)."""
    if binding.kind == "import":
        return None
    if binding.kind in {"parameter", "default"}:
        kind = binding.kind
    shared = is_sync_value(binding.value) or is_shared_value(binding.value)
    return Owner(binding.name, binding.line + offset, kind, sync=shared,
                 lock=is_lock_value(binding.name, binding.value), value=binding.value)


@dataclass
class ModuleContext:
    """Facts about one module shared by every task in it.

    Attributes:
        tree: The parsed module.
        path: File name for findings.
        line_offset: Added to node lines to get file lines.
        strict: Report outer objects passed to unknown calls (PAR901).
        parallel_callables: A project's own map functions (``[tool.parallelize] parallel-callables``): the
            qualified name as imported → ``"processes"`` or ``"threads"``; each takes the task function first.
    """

    tree: ast.Module
    path: str
    line_offset: int = 0
    strict: bool = False
    parallel_callables: Mapping[str, str] = field(default_factory=dict)
    parents: dict[int, ScopeNode] = field(default_factory=dict)
    calls: list[tuple[ast.Call, ScopeNode]] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)
    classes: list[ast.ClassDef] = field(default_factory=list)
    _binders: dict[int, Binder] = field(default_factory=dict)
    _defs: dict[int, dict[str, FunctionNode]] = field(default_factory=dict)
    _summaries: dict[int, Summary] = field(default_factory=dict)
    _assignments: dict[int, dict[str, list[tuple[int, ast.expr]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        stack: list[tuple[ast.AST, ScopeNode]] = [(self.tree, self.tree)]
        scope_types = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
        while stack:
            node, scope = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, scope_types):
                    self.parents[id(child)] = scope
                    if isinstance(child, ast.ClassDef):
                        self.classes.append(child)
                    stack.append((child, child))
                else:
                    if isinstance(child, ast.Call):
                        self.calls.append((child, scope))
                    elif isinstance(child, (ast.Import, ast.ImportFrom)):
                        self._record_import(child)
                    stack.append((child, scope))

    def _record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        """Remember what an imported name stands for (anywhere in the module: a coarse, module-wide map)."""
        for alias in node.names:
            if isinstance(node, ast.Import):
                local = alias.asname or alias.name.split(".")[0]
                self.imports.setdefault(local, alias.name if alias.asname else local)
            elif node.module and not node.level and alias.name != "*":
                self.imports.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")

    def changes(self, name: str) -> int:
        """Return how many bindings of ``name``, stores into it and mutating calls on it the module holds."""
        if "_changes" not in self.__dict__:
            self.__dict__["_changes"] = changes_of(self.tree)
        counts: Counter[str] = self.__dict__["_changes"]
        return counts[name]

    def filled_values(self) -> dict[str, list[ast.expr]]:
        """Return the values put in each name anywhere in the module (:func:`estimators.filled_values`)."""
        if "_fills" not in self.__dict__:
            self.__dict__["_fills"] = filled_values(self.tree)
        fills: dict[str, list[ast.expr]] = self.__dict__["_fills"]
        return fills

    def qualify(self, dotted: str) -> str:
        """Return ``dotted`` with its first name replaced by what it was imported as (``hq.x`` → ``heapq.x``)."""
        first, _, rest = dotted.partition(".")
        origin = self.imports.get(first)
        if origin is None:
            return dotted
        return f"{origin}.{rest}" if rest else origin

    def binder(self, scope: ScopeNode) -> Binder:
        """Return the bindings of ``scope``'s own body (cached)."""
        key = id(scope)
        if key not in self._binders:
            body = [ast.Expr(scope.body)] if isinstance(scope, ast.Lambda) else scope.body
            self._binders[key] = bindings_of(body)
        return self._binders[key]

    def assignments(self, scope: ScopeNode) -> dict[str, list[tuple[int, ast.expr]]]:
        """Return, per name, every ``name = value`` statement of ``scope``'s own body as (line, value), in
        source order (cached; blocks included, nested functions and classes not)."""
        key = id(scope)
        if key not in self._assignments:
            found: dict[str, list[tuple[int, ast.expr]]] = {}
            body = [] if isinstance(scope, ast.Lambda) else scope.body
            for stmt in statements(body):
                if isinstance(stmt, ast.Assign):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, []).append((stmt.lineno, stmt.value))
            for values in found.values():
                values.sort(key=lambda pair: pair[0])
            self._assignments[key] = found
        return self._assignments[key]

    def local_names(self, scope: ScopeNode) -> dict[str, Binding]:
        """Return the names local to a function scope (parameters included, declared globals excluded)."""
        binder = self.binder(scope)
        names: dict[str, Binding] = {}
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            names.update(parameters(scope))
        for name, binding in binder.bindings.items():
            if name not in binder.declared_global and name not in binder.declared_nonlocal:
                names.setdefault(name, binding)
        return names

    def enclosing(self, scope: ScopeNode) -> list[ScopeNode]:
        """Return the scopes around ``scope``, innermost first, ending with the module."""
        chain: list[ScopeNode] = []
        node: ScopeNode = scope
        while id(node) in self.parents:
            node = self.parents[id(node)]
            chain.append(node)
        return chain

    def resolve_outside(self, name: str, scope: ScopeNode) -> Owner | None:
        """Resolve a name that is not local to ``scope``: an enclosing function's variable, or a module name."""
        declared_global = name in self.binder(scope).declared_global if not isinstance(scope, ast.Module) else False
        for outer in self.enclosing(scope):
            if isinstance(outer, ast.ClassDef):
                continue
            if isinstance(outer, ast.Module):
                binding = self.binder(outer).bindings.get(name)
                return owner_from(binding, "module", self.line_offset) if binding else None
            if declared_global:
                continue
            binding = self.local_names(outer).get(name)
            if binding is not None:
                return owner_from(binding, "closure", self.line_offset)
        return None

    def defs_in(self, scope: ScopeNode) -> dict[str, FunctionNode]:
        """Return the functions defined directly in ``scope`` (inside its blocks, not nested functions)."""
        key = id(scope)
        if key not in self._defs:
            body = [] if isinstance(scope, ast.Lambda) else scope.body
            self._defs[key] = {
                s.name: s for s in statements(body) if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
        return self._defs[key]

    def lookup(self, func: ast.expr, scope: ScopeNode) -> FunctionNode | None:
        """Find the same-module function a call expression refers to (a name, or ``self.method``)."""
        if isinstance(func, ast.Name):
            for candidate in (scope, *self.enclosing(scope)):
                if isinstance(candidate, ast.ClassDef):
                    continue
                found = self.defs_in(candidate).get(func.id)
                if found is not None:
                    return found
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in {"self", "cls"}:
            for candidate in (scope, *self.enclosing(scope)):
                if isinstance(candidate, ast.ClassDef):
                    return self.defs_in(candidate).get(func.attr)
        return None

    def _reachable(self, func: ast.expr, scope: ScopeNode) -> Iterator[FunctionNode]:
        """The same-module function ``func`` names, then each same-module function it calls, directly or through
        others, each once (lazily: a caller that has its answer stops the walk)."""
        target = self.lookup(func, scope)
        seen: set[int] = set()
        pending = [target] if target is not None else []
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            for call in ast.walk(node):
                if isinstance(call, ast.Call):
                    inner = self.lookup(call.func, node)
                    if inner is not None:
                        pending.append(inner)

    def global_state_of(self, func: ast.expr, scope: ScopeNode) -> tuple[str, str] | None:
        """The pyplot, global-RNG or process-wide call that the same-module function ``func`` names makes, itself
        or through the same-module functions it calls (each read once), as ``(effect kind, dotted name)``."""
        from parallelize._analysis.soundness import global_state_call

        for node in self._reachable(func, scope):
            for call in ast.walk(node):
                found = global_state_call(self.qualify, call, lambda m: filled_seeds(self.filled_values(), m)) if (
                    isinstance(call, ast.Call)) else None
                if found is not None:
                    return found
        return None

    def shared_rng_of(self, func: ast.expr, scope: ScopeNode) -> tuple[Owner, str] | None:
        """The random generator object bound outside the same-module function ``func`` names (a module-level
        ``rng = np.random.RandomState(0)``, or one of an enclosing function) that it, or a same-module function it
        calls, uses (draws from, or passes on), as ``(owner, the expression using it)``."""
        from parallelize._analysis.globalstate import rng_object

        for node in self._reachable(func, scope):
            local = self.local_names(node)
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in local:
                    owner = self.resolve_outside(sub.id, node)
                    if owner is not None and rng_object(self.qualify, owner.value):
                        return owner, sub.id
        return None

    def method_keeps_receiver(self, value: ast.expr | None, method: str) -> bool:
        """Return whether ``method`` of the object ``value`` built leaves that object unchanged.

        ``value`` must call a class defined in this module (``t = Tally()``); its method, looked up in that class,
        is analysed with ``self`` as an outer object. A method the class does not define is not known.
        """
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
            return False
        cls = next((c for c in self.tree.body if isinstance(c, ast.ClassDef) and c.name == value.func.id), None)
        node = self.defs_in(cls).get(method) if cls is not None else None
        if node is None or not node.args.args:
            return False
        key = -id(node)
        if key not in self._summaries:
            self._summaries[key] = Summary(node.name, (), {"self": 0})  # recursion guard: assume it mutates
            walker = task_walker(self, node, follow_calls=False)
            walker.walk(node.body)
            own = node.args.args[0].arg
            touched = {e.owner.name for e in walker.effects if e.owner is not None}
            self._summaries[key] = Summary(node.name, (), {own: 0} if own in touched else {})
        return not self._summaries[key].mutated

    def summary(self, func: ast.expr, scope: ScopeNode) -> Summary | None:
        """Return what the function ``func`` refers to mutates (parameters and free names), one level deep."""
        node = self.lookup(func, scope)
        if node is None:
            return None
        key = id(node)
        if key not in self._summaries:
            self._summaries[key] = Summary(node.name, (), {})  # recursion guard
            walker = task_walker(self, node, follow_calls=False)
            walker.walk(node.body)
            mutated: dict[str, int] = {}
            likely: dict[str, tuple[int, str]] = {}
            for effect in walker.effects:
                if effect.owner is None or effect.kind in {"carried-read", "accumulator-read"}:
                    continue
                line = getattr(effect.node, "lineno", 0) + self.line_offset
                if effect.kind == "method-call-statement":
                    likely.setdefault(effect.owner.name, (line, effect.args.get("stmt", "")))
                else:
                    mutated.setdefault(effect.owner.name, line)
            params = tuple(a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs))
            self._summaries[key] = Summary(node.name, params, mutated, likely)
        found = self._summaries[key]
        return found if found.mutated or found.likely else None


def task_walker(
    ctx: ModuleContext, func: FunctionNode | ast.Lambda, *, follow_calls: bool = True,
    shared: Mapping[str, ast.expr] | None = None,
) -> EffectWalker:
    """Return a walker for a whole function run as a task (map mode): every outer object is off limits, except
    the parameters in ``shared``, filled with shared objects (→ the expression that built each) by the callers."""
    params = parameters(func)
    local = ctx.local_names(func)
    shared = shared or {}

    def resolve(name: str) -> Owner | None:
        return ctx.resolve_outside(name, func)

    initial: dict[str, Owner | None] = {
        name: Owner(name, binding.line + ctx.line_offset, "parameter", sync=True,
                    lock=is_lock_value(name, shared[name]), value=shared[name])
        if name in shared else owner_from(binding, "parameter", ctx.line_offset)
        for name, binding in params.items()
    }
    region = Region(
        loop_mode=False,
        bound=set(local),
        resolve=resolve,
        initial=initial,
        own_indices=frozenset(params),
        keeps_receiver=ctx.method_keeps_receiver,
        summaries=(lambda f: ctx.summary(f, func)) if follow_calls else (lambda f: None),
        strict=ctx.strict and follow_calls,
        declared=ctx.binder(func).declared_global | ctx.binder(func).declared_nonlocal,
        visible=lambda f: ctx.lookup(f, func) is not None,
        qualify=ctx.qualify,
        global_state_of=lambda f: ctx.global_state_of(f, func),
        shared_rng_of=lambda f: ctx.shared_rng_of(f, func),
        changes=ctx.changes,
    )
    return EffectWalker(region)
