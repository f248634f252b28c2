"""Analyse one parallel loop (loop mode) or one task function (map mode) into facts and findings."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable, Mapping

from parallelize._analysis.collectors import KEYED, Form, keyed_alone, match_form, plain_bindings, statements
from parallelize._analysis.context import FunctionNode, ModuleContext, ScopeNode, owner_from, task_walker
from parallelize._analysis.effects import EffectWalker
from parallelize._analysis.estimators import unseeded_items
from parallelize._analysis.facts import Collector, Effect, LoopFacts, Owner, Reduction
from parallelize._analysis.fresh import TRUSTED_LIBRARIES, random_module
from parallelize._analysis.globalstate import conventional
from parallelize._analysis.guards import guard_items, guard_parameters
from parallelize._analysis.items import ITEM_CHANGES, owned_items
from parallelize._analysis.loops import bound_before
from parallelize._analysis.patterns import own_elements, own_slices, tail_appends
from parallelize._analysis.refits import ESTIMATOR_READS, refitted
from parallelize._analysis.region import Region
from parallelize._analysis.rules import Finding, rules_for
from parallelize._analysis.scopes import NESTED_SCOPES, Binding, dotted_name, loads, parameters, target_names
from parallelize._analysis.soundness import methods_read_only
from parallelize._analysis.values import immutable

LOOP = "a parallel loop"
TASK = "a parallel task"


def analyze_loop(ctx: ModuleContext, scope: ScopeNode, loop: ast.For, index: int) -> tuple[LoopFacts, list[Effect]]:
    """Return the facts of ``loop`` (inside ``scope``) and the effects that rules may report."""
    is_function = isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
    params = parameters(scope) if is_function else {}  # type: ignore[arg-type]
    body = scope.body if not isinstance(scope, ast.Lambda) else []
    definite, possible = bound_before(body, loop, set(params))
    local = ctx.local_names(scope) if is_function else ctx.binder(scope).bindings
    declared = ctx.binder(scope).declared_global | ctx.binder(scope).declared_nonlocal if is_function else set()

    forms = keyed_alone({id(s): f for s in statements(loop.body) if (f := match_form(s)) is not None})
    private = (set(plain_bindings(loop.body, forms)) | set(target_names(loop.target))) - declared
    forms = {k: f for k, f in forms.items() if f.name not in private}

    def resolve(name: str) -> Owner | None:
        binding = params.get(name) or (local.get(name) if name in possible or name in definite else None)
        if binding is not None:
            return owner_from(binding, "before-loop", ctx.line_offset)
        if name in local and name not in declared:
            return None
        return ctx.resolve_outside(name, scope) if is_function else None

    effects: list[Effect] = []
    accepted: dict[str, list[Form]] = {}
    for form in forms.values():
        owner = resolve(form.name)
        args = {"stmt": _text(form.stmt), "name": form.name}
        if form.name in definite and owner is not None and not owner.sync:
            if form.kind == KEYED + "setitem" and not (
                own_elements(scope, loop, form.name, resolve, ctx.qualify)
            ):  # an element another name may hold (the caller's, or an alias): a store into it is the worker's
                effects.append(Effect("subscript-store", form.stmt, {**args, "bound": owner.describe()}, owner))
            elif not form.allowed:
                effects.append(Effect("unsupported-reduction", form.stmt, {**args, "what": f"operator `{form.op}`",
                                                                          "bound": owner.describe()}, owner))
            else:
                accepted.setdefault(form.name, []).append(form)
        elif form.name in possible or (form.name in local and form.name not in declared):
            line = possible.get(form.name)
            bound = f"`{form.name}` (bound at line {line + ctx.line_offset})" if line else f"`{form.name}`"
            effects.append(Effect("unbound-accumulator", form.stmt, {**args, "bound": bound}))
        elif form.name in declared:
            how = "nonlocal" if is_function and form.name in ctx.binder(scope).declared_nonlocal else "global"
            effects.append(Effect("global-write", form.stmt, {**args, "bound": f"`{form.name}` (declared {how})"}))
        elif owner is not None and not owner.sync:
            kind = {"setitem": "subscript-store", "keyed-setitem": "subscript-store",
                    "reduce": "global-write"}.get(form.kind, "mutating-call")
            effects.append(Effect(kind, form.stmt, {**args, "bound": owner.describe()}, owner))
    for group in accepted.values():
        effects.extend(_late_binding_closures(group, private))
    for name, group in accepted.items():
        kinds = {f.op if f.kind == "reduce" else "collect" for f in group}
        if len(kinds) > 1:
            owner = resolve(name)
            effects.append(Effect("mixed-accumulator", group[-1].stmt, {
                "stmt": _text(group[-1].stmt), "name": name, "bound": owner.describe() if owner else f"`{name}`",
                "what": "mixes " + ", ".join(sorted(kinds))}, owner))

    # Proved patterns (patterns.py): `res[-1].append(e)` after the iteration's own `res.append(fresh)`, and
    # `X[:, j] = f(X[:, j])` reading only the iteration's own slice.
    tails = tail_appends(loop, scope, accepted, resolve)
    rebound = set(plain_bindings(loop.body, forms))
    slices, slice_reads = own_slices(loop, scope, accepted, rebound, resolve)
    region = Region(
        loop_mode=True,
        bound=private,
        resolve=resolve,
        forms={**forms, **tails},
        accumulators=set(accepted),
        own_indices=_counter_names(loop) - rebound,
        keeps_receiver=ctx.method_keeps_receiver,
        summaries=lambda f: ctx.summary(f, scope),
        strict=ctx.strict,
        declared=declared,
        visible=lambda f: ctx.lookup(f, scope) is not None,
        qualify=ctx.qualify,
        read_only_method=lambda name: methods_read_only(ctx, name),
        global_state_of=lambda f: ctx.global_state_of(f, scope),
        shared_rng_of=lambda f: ctx.shared_rng_of(f, scope),
        changes=ctx.changes,
        callees=_literal_callees(loop, ctx.qualify, rebound, ctx.changes),
        scoped_calls=_in_catch_warnings(loop.body, ctx.qualify),
    )
    walker = EffectWalker(region)
    for read in loads(loop.iter):
        if read.id in accepted:
            walker.emit("accumulator-read", read, resolve(read.id), stmt=read.id)
    walker.bind(loop.target, None, item_of=loop.iter)
    walker.walk(loop.body)
    inert = _inert_names(ctx, scope, params, local)
    refits = refitted(loop, scope, ctx.qualify, inert, ctx.tree)
    # Proved (items.py): the loop's own estimators, out of a container nothing reads after it (looked for only
    # when the loop changes an element of a container).
    changed = {e.owner.name for e in walker.effects if e.kind in ITEM_CHANGES and e.owner and e.owner.kind == "item"}
    found_items = owned_items(loop, scope, ctx.qualify, inert, ctx.tree) if changed else None
    owned = found_items[0] if found_items is not None else None
    heads = {id(call) for refit in refits for call in refit.calls}
    heads |= {id(t) for refit in refits for c in refit.calls if isinstance(c, ast.Assign) for t in c.targets}
    # A prediction made for its time alone (`clf.predict(X)` as a statement) on a proved scikit-learn estimator.
    heads |= {id(n) for refit in refits for n in ast.walk(loop) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute) and n.func.attr in ESTIMATOR_READS
              and isinstance(n.func.value, ast.Name) and n.func.value.id == refit.name}
    for refit in refits:  # proved (refits.py): not PAR108 on processes; a race between threads (PAR102)
        owner = resolve(refit.name)
        for call in refit.calls:
            walker.emit("shared-refit", call, owner, stmt=_text(call))
        if refit.unseeded is not None:
            fit = refit.calls[-1]
            walker.emit("global-rng", fit, stmt=_text(fit),
                        name=f"`{refit.name}`, built by {refit.unseeded} (`random_state` left at None)")
    # What the proved resets give the estimator must not be something its fit changes (guards.py).
    for refit in refits:
        guard_parameters(walker, refit.built, refit.calls, ctx.qualify, ctx.imports.__contains__)
    if found_items is not None:
        item_names = set(target_names(loop.target))
        guard_parameters(walker, found_items[1], [s for s in statements(loop.body)
                                                 if _parameter_setting(s, item_names)], ctx.qualify,
                         ctx.imports.__contains__)
        guard_items(walker, loop, item_names, ctx.qualify, ctx.imports.__contains__)
    unseeded = unseeded_items(ctx.filled_values(), loop, private, ctx.qualify)
    if unseeded is not None:  # estimators fitted in workers, from their own global generators
        walker.emit("global-rng", unseeded[0], stmt=unseeded[1], name=f"{unseeded[1]} (`random_state` left at None)")

    facts = LoopFacts(node=loop, index=index, private=private, before=definite, own_slices=slices)
    facts.tails = [Collector(t.name, _tail_method(t.stmt), t.stmt, t.stmt.lineno) for t in tails.values()]
    for group in accepted.values():
        for form in group:
            if form.kind == "reduce":
                facts.reductions.append(Reduction(form.name, form.op, form.stmt, form.values[0], form.stmt.lineno))
            else:
                facts.collectors.append(Collector(form.name, form.kind, form.stmt, form.stmt.lineno))
    end = loop.end_lineno or loop.lineno
    after = [n.id for stmt in body for n in loads(stmt) if n.lineno > end]
    facts.live_after = private & set(after)
    facts.shared_reads = {n for n in walker.shared_reads - set(accepted) if resolve(n) is not None or n in local}
    found = [e for e in effects + walker.effects if not (e.kind == "accumulator-read" and id(e.node) in slice_reads)
             and not (e.kind in {"method-call-statement", "unknown-call", "attribute-store"}
                      and id(e.node) in heads)
             and not (owned is not None and e.kind in ITEM_CHANGES and e.owner is not None
                      and e.owner.kind == "item" and e.owner.name == owned)]
    return facts, found


def analyze_task(
    ctx: ModuleContext, func: FunctionNode | ast.Lambda, shared: Mapping[str, ast.expr] | None = None
) -> list[Effect]:
    """Return the effects of running ``func`` as a task (map mode); ``shared`` names the parameters every
    hand-over site fills with a shared object (→ the expression that built it)."""
    walker = task_walker(ctx, func, shared=shared)
    if isinstance(func, ast.Lambda):
        walker.scan(func.body)
    else:
        walker.walk(func.body)
    return walker.effects


def to_findings(ctx: ModuleContext, effects: Iterable[Effect], mode: str, *, loop: bool) -> list[Finding]:
    """Turn effects into findings of every rule that reports them under ``mode``."""
    findings: list[Finding] = []
    for effect in effects:
        for rule in rules_for(effect.kind):
            if not rule.matches(effect, mode):
                continue
            args = {
                "where": LOOP if loop else TASK,
                "consequence": rule.consequence(mode),
                **effect.args,
            }
            args["fix"] = rule.fix_loop if loop else rule.fix_task
            node = effect.node
            line = int(getattr(node, "lineno", None) or 1) + ctx.line_offset
            end_line = int(getattr(node, "end_lineno", None) or line - ctx.line_offset) + ctx.line_offset
            col = getattr(node, "col_offset", 0) + 1
            end_col = (getattr(node, "end_col_offset", None) or 0) + 1
            end_line, end_col = max((end_line, end_col), (line, col))  # a range never ends before it starts
            findings.append(Finding(rule, ctx.path, line, col, args, end_line, end_col))
    return findings


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Return findings sorted, keeping one per (line, column, code)."""
    unique: dict[tuple[str, int, int, str], Finding] = {}
    for finding in findings:
        unique.setdefault(finding.sort_key(), finding)
    return [unique[key] for key in sorted(unique)]


def _text(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["LOOP", "TASK", "EffectWalker", "analyze_loop", "analyze_task", "dedupe", "to_findings"]


def _inert_names(ctx: ModuleContext, scope: ScopeNode, params: Mapping[str, Binding],
                 local: Mapping[str, Binding]) -> Callable[[str], bool]:
    """Whether a name holds nothing a fit could change or call back into: a builtin, a name bound once to an
    immutable value (:mod:`values`), or an import from scikit-learn, numpy, scipy or math (an object or a
    callback from this module or another library is not: ``FunctionTransformer(log_shape)``)."""
    module = ctx.binder(ctx.tree).bindings

    def is_builtin(name: str) -> bool:
        return hasattr(builtins, name) and name not in local and name not in module

    def bound_to(name: str) -> ast.expr | None:
        binding = local.get(name) or module.get(name)
        return binding.value if binding is not None and ctx.changes(name) == 1 else None

    def inert(name: str) -> bool:
        if name in params:
            return False
        binding = local.get(name) or module.get(name)
        if binding is None:
            return is_builtin(name)
        if binding.kind == "import":
            qualified = conventional(ctx.qualify(name))
            return (ctx.changes(name) <= 1 and qualified.split(".")[0] in TRUSTED_LIBRARIES
                    and not random_module(qualified))
        if binding.kind in {"def", "class"}:
            return False
        return binding.kind == "assign" and immutable(bound_to(name), is_builtin, bound_to)

    return inert


def _late_binding_closures(group: list[Form], private: set[str]) -> list[Effect]:
    """Lambdas collected from the body that read the iteration's own names (late binding, B023-like)."""
    found: list[Effect] = []
    for form in group:
        for node in ast.walk(form.stmt):
            if not isinstance(node, ast.Lambda):
                continue
            own = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
            free = sorted({n.id for n in ast.walk(node.body) if isinstance(n, ast.Name)
                           and isinstance(n.ctx, ast.Load) and n.id in private and n.id not in own})
            if free:
                found.append(Effect("late-binding-closure", node, {
                    "stmt": _text(form.stmt), "name": form.name, "bound": f"`{free[0]}`"}))
    return found


def _tail_method(stmt: ast.stmt) -> str:
    assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
    assert isinstance(stmt.value.func, ast.Attribute)
    return stmt.value.func.attr


def _counter_names(loop: ast.For) -> frozenset[str]:
    """Return the loop's own distinct index: ``i`` in ``for i in range(...)`` or ``for i, x in enumerate(...)``."""
    call = loop.iter
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        return frozenset()
    if call.func.id == "range" and isinstance(loop.target, ast.Name):
        return frozenset({loop.target.id})
    if (call.func.id == "enumerate" and isinstance(loop.target, ast.Tuple) and loop.target.elts
            and isinstance(loop.target.elts[0], ast.Name)):
        return frozenset({loop.target.elts[0].id})
    return frozenset()


def _literal_callees(loop: ast.For, qualify: Callable[[str], str], rebound: set[str],
                     changes: Callable[[str], int]) -> dict[str, tuple[str, ...]]:
    """``for metric in [log_loss, f1_score]``: the target (never rebound in the body) → the imported functions it
    takes, qualified; empty for any other loop, or when an element is not an imported name bound only by its
    import (a ``def`` of the same name shadows it)."""
    target, values = loop.target, loop.iter
    if not (isinstance(target, ast.Name) and target.id not in rebound and isinstance(values, (ast.List, ast.Tuple))
            and values.elts):
        return {}
    names = [dotted_name(e) for e in values.elts]
    if not all(n and qualify(n) != n and changes(n.partition(".")[0]) <= 1 for n in names):
        return {}
    return {target.id: tuple(conventional(qualify(n)) for n in names if n)}


#: ``warnings`` calls whose change ``catch_warnings`` saves and restores.
_FILTER_CALLS = frozenset({"warnings.filterwarnings", "warnings.simplefilter", "warnings.resetwarnings"})


def _in_catch_warnings(body: list[ast.stmt], qualify: Callable[[str], str]) -> frozenset[int]:
    """``id`` of every filter call inside a ``with warnings.catch_warnings():`` block of ``body``."""
    found: set[int] = set()
    for stmt in statements(body):
        if not isinstance(stmt, ast.With) or not any(
            isinstance(item.context_expr, ast.Call)
            and qualify(dotted_name(item.context_expr.func) or "") == "warnings.catch_warnings"
            for item in stmt.items
        ):
            continue
        for inner in statements(stmt.body):  # each statement's own expressions, not a nested function's
            exprs = [] if isinstance(inner, NESTED_SCOPES) else [c for c in ast.iter_child_nodes(inner)
                                                                 if isinstance(c, ast.expr)]
            found |= {id(n) for e in exprs for n in _walk_now(e)
                      if isinstance(n, ast.Call) and qualify(dotted_name(n.func) or "") in _FILTER_CALLS}
    return frozenset(found)


def _walk_now(node: ast.AST) -> Iterable[ast.AST]:
    """``ast.walk`` without the bodies of lambdas and generator expressions: they may run after the block."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if not isinstance(current, (ast.Lambda, ast.GeneratorExp)):
            pending.extend(ast.iter_child_nodes(current))


def _parameter_setting(stmt: ast.stmt, names: set[str]) -> bool:
    """``m.set_params(...)`` or ``m.param = v`` on one of ``names`` (as a statement)."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return (isinstance(func, ast.Attribute) and func.attr == "set_params" and isinstance(func.value, ast.Name)
                and func.value.id in names)
    return (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
            and isinstance(stmt.targets[0].value, ast.Name) and stmt.targets[0].value.id in names)

