"""Classify what each statement of a task does: bind, read, collect, reduce, mutate, or jump.

One walk per task region (a loop body in loop mode, a whole function in map mode) in statement order, keeping
two pieces of flow state:

* ``assigned``: names certainly bound so far in this iteration (a read of a private name outside it is a
  loop-carried read);
* ``alias``: for each name bound in the region, the outer object it stands for (``r = results``), or ``None``
  when it holds a fresh object (``x = list(x)``).

The walk emits :class:`~parallelize._analysis.facts.Effect` facts; the rules decide which are findings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from parallelize._analysis.collectors import Form
from parallelize._analysis.expressions import ExpressionEffects
from parallelize._analysis.facts import Owner
from parallelize._analysis.region import is_lock, pattern_names, snippet
from parallelize._analysis.scopes import root_name
from parallelize._analysis.sharing import cache_guard, is_proxy_value


class EffectWalker(ExpressionEffects):
    """Walk a region once, statement by statement, and collect its effects, reads and the names it reads from
    outside."""

    def walk(self, stmts: Iterable[ast.stmt]) -> bool:
        """Visit statements in order; return ``True`` if the block always jumps away (return, continue...).

        ``lock.acquire()`` ... ``lock.release()`` as statements hold the lock in between (``try``/``finally``
        included: the release in ``finally`` is reached after the ``try`` body).
        """
        for stmt in stmts:
            guard = self._lock_call(stmt)
            if guard == "acquire":
                self.lock_depth += 1
            elif guard == "release":
                self.lock_depth = max(0, self.lock_depth - 1)
            if self.statement(stmt):
                return True
        return False

    def _lock_call(self, stmt: ast.stmt) -> str | None:
        """Return ``"acquire"``/``"release"`` for a statement ``lock.acquire()``/``lock.release()``."""
        value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr in {"acquire", "release"} and is_lock(value.func.value, self.region.resolve)):
            return value.func.attr
        return None

    def statement(self, stmt: ast.stmt) -> bool:
        """Visit one statement; return ``True`` if control never falls through it."""
        form = self.region.forms.get(id(stmt))
        if form is not None:
            return self._form(form)
        method = getattr(self, "_" + type(stmt).__name__, None)
        if method is not None:
            return bool(method(stmt))
        for child in ast.iter_child_nodes(stmt):
            self.scan(child)
        return False

    def _form(self, form: Form) -> bool:
        for value in form.values:
            self.scan(value)
        return False

    def _Expr(self, stmt: ast.Expr) -> None:
        self._statement_call = id(stmt.value) if isinstance(stmt.value, ast.Call) else None
        try:
            self.scan(stmt.value)
        finally:
            self._statement_call = None

    def _Assign(self, stmt: ast.Assign) -> None:
        if [getattr(t, "id", None) for t in stmt.targets] == ["_"] and isinstance(stmt.value, ast.Call):
            self._discarded_call = id(stmt.value)
        self.scan(stmt.value)
        for target in stmt.targets:
            self.bind(target, stmt.value)

    def _AnnAssign(self, stmt: ast.AnnAssign) -> None:
        self.scan(stmt.value)
        if stmt.value is not None:
            self.bind(stmt.target, stmt.value)

    def _AugAssign(self, stmt: ast.AugAssign) -> None:
        self.scan(stmt.value)
        target = stmt.target
        if isinstance(target, ast.Name):
            name = target.id
            owner = self.owner(name)
            if name in self.region.bound or name in self.alias:
                self.read(target)
                if owner is not None and not owner.sync and not _immutable(owner.value):
                    self.emit("inplace-operator", stmt, owner, stmt=snippet(stmt))
                self.assigned.add(name)
            elif self.region.loop_mode:
                self.emit("unsupported-reduction", stmt, owner, stmt=snippet(stmt), name=name)
            else:
                self.emit("global-write", stmt, owner, stmt=snippet(stmt), name=name,
                          bound=owner.describe() if owner else f"`{name}` (declared global)")
        else:
            self._proxy_race(stmt)
            self._read_modify_write = True
            try:
                self.bind(target, None)
            finally:
                self._read_modify_write = False

    def _proxy_race(self, stmt: ast.AugAssign) -> None:
        """Report ``d[k] += 1`` on a manager proxy outside a lock: a read and a write, not one atomic step."""
        root = root_name(stmt.target)
        owner = self.owner(root.id) if root is not None else None
        if owner is not None and owner.sync and is_proxy_value(owner.value) and self.lock_depth == 0:
            self.emit("proxy-race", stmt, owner, stmt=snippet(stmt), name=owner.name, bound=owner.describe())

    def _Delete(self, stmt: ast.Delete) -> None:
        for target in stmt.targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                self._read_modify_write = True
                try:
                    self.bind(target, None)
                finally:
                    self._read_modify_write = False

    def _For(self, stmt: ast.For | ast.AsyncFor) -> None:
        self.scan(stmt.iter)
        before = set(self.assigned)
        self.loop_depth += 1
        self.bind(stmt.target, None, item_of=stmt.iter)
        self.walk(stmt.body)
        self.loop_depth -= 1
        self.assigned |= before  # lenient: names bound in the inner body count as bound after it (documented)
        self.walk(stmt.orelse)

    _AsyncFor = _For

    def _While(self, stmt: ast.While) -> None:
        self.scan(stmt.test)
        self.loop_depth += 1
        self.walk(stmt.body)
        self.loop_depth -= 1
        self.walk(stmt.orelse)

    def _If(self, stmt: ast.If) -> bool:
        self.scan(stmt.test)
        guard = None if self.region.loop_mode else cache_guard(stmt.test)
        if guard is None or guard not in self.region.declared or guard in self.cache_guards:
            return self._branches([stmt.body, stmt.orelse], exhaustive=True)
        self.cache_guards.add(guard)  # only ``stmt.body`` fills the cache, but the else branch rarely rebinds it
        try:
            return self._branches([stmt.body, stmt.orelse], exhaustive=True)
        finally:
            self.cache_guards.discard(guard)

    def _branches(self, blocks: list[list[ast.stmt]], *, exhaustive: bool, prefix: bool = False) -> bool:
        entry_assigned, entry_alias = set(self.assigned), dict(self.alias)
        outcomes: list[set[str]] = []
        merged_alias: dict[str, Owner | None] = dict(entry_alias)
        for block in blocks:
            if not prefix:
                self.assigned, self.alias = set(entry_assigned), dict(entry_alias)
            jumped = self.walk(block)
            for name, owner in self.alias.items():
                if owner is not None or name not in merged_alias:
                    merged_alias[name] = owner
            if not jumped:
                outcomes.append(set(self.assigned))
        if not exhaustive:
            outcomes.append(entry_assigned)
        self.alias = merged_alias
        if not outcomes:
            self.assigned = entry_assigned
            return True
        self.assigned = set.intersection(*outcomes)
        return False

    def _With(self, stmt: ast.With | ast.AsyncWith) -> bool:
        locked = 0
        for item in stmt.items:
            self.scan(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, None)
            if is_lock(item.context_expr, self.region.resolve):
                locked += 1
        self.lock_depth += locked
        jumped = self.walk(stmt.body)
        self.lock_depth -= locked
        return jumped

    _AsyncWith = _With

    def _Try(self, stmt: ast.Try) -> bool:
        entry = set(self.assigned)
        body_jumped = self.walk(stmt.body) or self.walk(stmt.orelse)
        after_body = set(self.assigned)
        outcomes = [] if body_jumped else [after_body]
        for handler in stmt.handlers:
            self.assigned = set(entry)
            self.scan(handler.type)
            if handler.name:
                self.assigned.add(handler.name)
                self.alias[handler.name] = None
            if not self.walk(handler.body):
                outcomes.append(set(self.assigned))
        self.assigned = set.intersection(*outcomes) if outcomes else entry
        return self.walk(stmt.finalbody) or not outcomes

    _TryStar = _Try

    def _Match(self, stmt: ast.Match) -> None:
        self.scan(stmt.subject)
        entry = set(self.assigned)
        for case in stmt.cases:
            self.assigned = set(entry)
            for name in pattern_names(case.pattern):
                self.assigned.add(name)
                self.alias[name] = None
            self.scan(case.guard)
            self.walk(case.body)
        self.assigned = entry

    def _Break(self, stmt: ast.Break) -> bool:
        if self.region.loop_mode and self.loop_depth == 0:
            self.emit("break", stmt, stmt="break")
        return True

    def _Continue(self, stmt: ast.Continue) -> bool:
        return True

    def _Return(self, stmt: ast.Return) -> bool:
        self.scan(stmt.value)
        if self.region.loop_mode:
            self.emit("return", stmt, stmt="return")
        return True

    def _Raise(self, stmt: ast.Raise) -> bool:
        self.scan(stmt.exc)
        self.scan(stmt.cause)
        return True

    def _Global(self, stmt: ast.Global | ast.Nonlocal) -> None:
        if self.region.loop_mode:
            keyword = "global" if isinstance(stmt, ast.Global) else "nonlocal"
            self.emit("global-statement", stmt, stmt=f"{keyword} {', '.join(stmt.names)}", name=stmt.names[0],
                      bound=f"`{stmt.names[0]}`")

    _Nonlocal = _Global

    def _FunctionDef(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for deco in stmt.decorator_list:
            self.scan(deco)
        if not isinstance(stmt, ast.ClassDef):
            for default in (*stmt.args.defaults, *stmt.args.kw_defaults):
                self.scan(default)
        self.assigned.add(stmt.name)
        self.alias[stmt.name] = None

    _AsyncFunctionDef = _FunctionDef
    _ClassDef = _FunctionDef

    def _Import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        for alias in stmt.names:
            name = (alias.asname or alias.name).split(".")[0]
            self.assigned.add(name)
            self.alias[name] = None

    _ImportFrom = _Import


def _immutable(value: ast.expr | None) -> bool:
    """Return whether ``value`` is an immutable literal: ``n += x`` on a name aliasing it rebinds the name."""
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.UnaryOp) and isinstance(value.operand, ast.Constant):
        return True
    return isinstance(value, ast.Tuple) and all(_immutable(e) for e in value.elts)
