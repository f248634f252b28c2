"""Stale snapshots (PAR5xx): the caller changes an object after tasks that read it were shipped or started.

This is the mirror image of the lost write, and it is judged in the *caller*: one function or module body, read
as a timeline of its statements (the bodies of ``with`` blocks inline, other compound statements as one step).
Only backends that copy or ship what a task reads are concerned:

* process executors and pools (``ProcessPoolExecutor.submit``/``map``, ``Pool.apply_async``/``map_async``/
  ``starmap_async``/``imap``/``imap_unordered``): arguments are pickled by a feeder thread shortly after the call,
  so a change made after it is seen or not depending on timing; module globals the task function reads are the
  worker's own copy, so a change to one is never seen;
* ``ray`` (``f.remote(...)``, ``Actor.remote(...)``): arguments are serialised at the call; globals the remote
  function, or the actor class's methods, read were copied when it was shipped;
* ``multiprocessing.Pool(initializer=..., initargs=...)``: the workers start in the constructor with a copy;
* ``dask.delayed``: arguments are read when the graph runs, so a change made *inside the loop that builds the
  tasks* reaches the tasks built in earlier iterations (all of them see the last value).

Threads share the caller's objects: there the same order is a race, not a stale copy, and is not reported here.
A finding needs the order to be certain: a submission, then the change, then a statement that uses the results
(reads the name the futures were put in, or waits: ``.result()``, ``.get()``, ``ray.get``, ``wait``,
``as_completed``, ``compute``, ``join``, ``close``, the end of the executor's ``with`` block). A wait between the
submission and the change, a rebinding of the name (``cfg = dict(cfg)``), or no later use at all: no finding.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from parallelize._analysis.catalogue import MUTATING_METHODS
from parallelize._analysis.context import FunctionNode, ModuleContext, ScopeNode
from parallelize._analysis.facts import Effect
from parallelize._analysis.scopes import dotted_name, root_name
from parallelize._analysis.sharing import is_shared_value

POOL_ASYNC = frozenset({"submit", "apply_async", "map_async", "starmap_async", "imap", "imap_unordered"})
WAIT_METHODS = frozenset({"result", "get", "join", "wait", "shutdown", "close", "terminate", "exception",
                          "compute", "persist", "gather"})
WAIT_FUNCTIONS = frozenset({"wait", "as_completed", "get", "compute", "gather", "persist"})
_EXECUTORS = ("ProcessPoolExecutor", "get_reusable_executor")
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_TIMING = "the tasks already submitted see the old value or the new one depending on when they were pickled"
_COPY = "the workers hold their own copy of the module and keep the old value"
_RAY = "ray copied it when the task was submitted, so the task keeps the old value"
_RAY_GLOBAL = "ray copied the function's globals when it shipped the function, so the task keeps the old value"
_RAY_ACTOR = "ray copied the class's globals when it created the actor, so the actor keeps the old value"
_DASK = "a `dask.delayed` task reads it when the graph runs, so the tasks built earlier see the last value"
_INIT = "the pool's workers started in the constructor with a copy and keep the old value"


@dataclass
class Submission:
    """One place that hands work to a process or graph backend.

    Attributes:
        node: The call.
        backend: ``"pool"`` (process executors and pools), ``"ray"`` or ``"dask"``.
        args: Names handed over directly as arguments (also inside tuple or list displays, ``partial``).
        closure: Names read by lambdas handed over (``delayed(lambda: f(d))()``).
        reads: Module globals the task function (a function of this module) reads.
        results: The name the results are kept in (``futs = ...``, ``futs.append(...)``), if any.
        actor: A ray actor created from a class of this module (``reads`` are its methods' globals).
    """

    node: ast.Call
    backend: str
    args: set[str] = field(default_factory=set)
    closure: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    results: set[str] = field(default_factory=set)
    actor: bool = False


def stale_effects(ctx: ModuleContext) -> list[Effect]:
    """Return the PAR5xx effects of every function body and of the module body."""
    if not _mentions_backend(ctx):
        return []
    effects: list[Effect] = []
    scopes: list[ScopeNode] = [ctx.tree]
    scopes += [n for n in ast.walk(ctx.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        effects += _scan_body(ctx, scope)
    return effects


def _mentions_backend(ctx: ModuleContext) -> bool:
    """Cheap gate: a module that imports none of the concerned libraries has nothing to report."""
    return any(origin.split(".")[0] in {"concurrent", "multiprocessing", "ray", "dask", "loky"}
               for origin in ctx.imports.values())


def _timeline(body: list[ast.stmt], ctx: ModuleContext) -> list[ast.stmt | str]:
    """Statements in order, ``with`` bodies inline; an executor's or pool's ``with`` ends with a ``"wait"``."""
    out: list[ast.stmt | str] = []
    for stmt in body:
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:  # `with Pool(...) as pool:` starts the pool like `pool = Pool(...)`
                if isinstance(item.optional_vars, ast.Name):
                    out.append(ast.copy_location(ast.Assign([item.optional_vars], item.context_expr), stmt))
            out += _timeline(stmt.body, ctx)
            if any(_is_process_pool(ctx, item.context_expr) for item in stmt.items):
                out.append("wait")
        else:
            out.append(stmt)
    return out


def _scan_body(ctx: ModuleContext, scope: ScopeNode) -> list[Effect]:
    if isinstance(scope, ast.Lambda):
        return []
    steps = _timeline(scope.body, ctx)
    local = set() if isinstance(scope, ast.Module) else set(ctx.local_names(scope))
    declared = set() if isinstance(scope, ast.Module) else ctx.binder(scope).declared_global
    effects: list[Effect] = []
    for index, step in enumerate(steps):
        if isinstance(step, str):
            continue
        subs = list(_submissions(ctx, step, scope))
        pools = list(_pool_starts(ctx, step))
        if not subs and not pools:
            continue
        if isinstance(step, (ast.For, ast.AsyncFor, ast.While)):
            effects += _in_loop(step, subs, steps[index + 1:])
        for sub in subs:
            effects += _after(ctx, sub, steps[index + 1:], scope, local, declared)
        for pool_name, start, names, reads in pools:
            effects += _after_pool_start(pool_name, start, names, reads, steps[index + 1:], local, declared,
                                         isinstance(scope, ast.Module))
    return effects


# --- what is handed over ---------------------------------------------------------------------------------------
def _submissions(ctx: ModuleContext, stmt: ast.stmt, scope: ScopeNode) -> Iterator[Submission]:
    results = _result_names(stmt)
    for node in _walk(stmt):
        if not isinstance(node, ast.Call):
            continue
        sub = _submission(ctx, node, scope)
        if sub is not None:
            sub.results = results
            yield sub


def _submission(ctx: ModuleContext, call: ast.Call, scope: ScopeNode) -> Submission | None:
    func = call.func
    if isinstance(func, ast.Call) and ctx.qualify(dotted_name(func.func)) == "dask.delayed" and func.args:
        sub = Submission(call, "dask")
        _names(sub, [*call.args, *(k.value for k in call.keywords)])
        _names(sub, func.args[:1])
        return sub
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "remote" and "ray" in {o.split(".")[0] for o in ctx.imports.values()}:
        sub = Submission(call, "ray")
        _names(sub, [*call.args, *(k.value for k in call.keywords)])
        task = ctx.lookup(func.value, scope) if isinstance(func.value, ast.Name) else None
        sub.reads = _global_reads(ctx, task)
        if task is None and isinstance(func.value, ast.Name):  # `Actor.remote()`: a ray actor of this module
            actor = next((c for c in ctx.tree.body if isinstance(c, ast.ClassDef) and c.name == func.value.id), None)
            for method in ctx.defs_in(actor).values() if actor is not None else ():
                sub.reads |= _global_reads(ctx, method, actor)
            sub.actor = actor is not None
        return sub
    executor = func.attr == "map" and _is_executor(ctx, func.value, scope)
    if not (func.attr in POOL_ASYNC or executor) or not call.args:
        return None
    if not _is_process_pool(ctx, func.value, scope):
        return None
    sub = Submission(call, "pool")
    _names(sub, [*call.args[1:], *(k.value for k in call.keywords)])
    handed = _unwrap(call.args[0], sub)
    sub.reads = _global_reads(ctx, ctx.lookup(handed, scope) if handed is not None else None)
    return sub


def _unwrap(func: ast.expr, sub: Submission) -> ast.expr | None:
    """``partial(f, cfg)`` → ``f``, with ``cfg`` counted as handed over."""
    if isinstance(func, ast.Call) and dotted_name(func.func).rsplit(".", 1)[-1] == "partial" and func.args:
        _names(sub, [*func.args[1:], *(k.value for k in func.keywords)])
        return func.args[0]
    return func if isinstance(func, ast.Name) else None


def _names(sub: Submission, values: list[ast.expr]) -> None:
    for value in values:
        if isinstance(value, ast.Name):
            sub.args.add(value.id)
        elif isinstance(value, (ast.Tuple, ast.List)):
            _names(sub, value.elts)
        elif isinstance(value, ast.Lambda):
            sub.closure |= {n.id for n in ast.walk(value.body) if isinstance(n, ast.Name)} - {
                a.arg for a in value.args.args}


def _global_reads(ctx: ModuleContext, func: FunctionNode | None, owner: ScopeNode | None = None) -> set[str]:
    """Module-level names (not functions, classes or imports) that ``func`` reads; ``func`` must be defined at
    module level, or directly in the class ``owner`` that is."""
    if func is None or ctx.parents.get(id(func)) is not (owner or ctx.tree):
        return set()
    if owner is not None and ctx.parents.get(id(owner)) is not ctx.tree:
        return set()
    module = ctx.binder(ctx.tree).bindings
    local = set(ctx.local_names(func))
    loads = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return {name for name in loads - local
            if name in module and module[name].kind not in {"import", "def", "class"}}


def _result_names(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.Assign):
        return {n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and isinstance(stmt.target, ast.Name):
        return {stmt.target.id}
    found: set[str] = set()
    for node in _walk(stmt):  # futs.append(ex.submit(...)), futs[k] = ..., inside a loop too
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"append", "extend", "add", "update", "insert"}
                and isinstance(node.func.value, ast.Name)):
            found.add(node.func.value.id)
        elif isinstance(node, ast.Assign):
            found |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return found


def _bound(ctx: ModuleContext, name: str, scope: ScopeNode) -> ast.expr | None:
    for candidate in (scope, *ctx.enclosing(scope)):
        binding = ctx.binder(candidate).bindings.get(name)
        if binding is not None:
            return binding.value
    return None


def _constructor(ctx: ModuleContext, value: ast.expr | None, scope: ScopeNode | None = None) -> str:
    if isinstance(value, ast.Name) and scope is not None:
        value = _bound(ctx, value.id, scope)
    return ctx.qualify(dotted_name(value.func)) if isinstance(value, ast.Call) else ""


def _is_process_pool(ctx: ModuleContext, value: ast.expr | None, scope: ScopeNode | None = None) -> bool:
    """``ProcessPoolExecutor(...)``, loky's executors, ``multiprocessing.Pool(...)``, seen through a name."""
    made = _constructor(ctx, value, scope)
    return made.endswith(_EXECUTORS) or (made.startswith("multiprocessing") and made.endswith(".Pool"))


def _is_executor(ctx: ModuleContext, value: ast.expr, scope: ScopeNode) -> bool:
    return _constructor(ctx, value, scope).endswith(_EXECUTORS)


def _pool_starts(ctx: ModuleContext, stmt: ast.stmt) -> Iterator[tuple[str, ast.Call, set[str], set[str]]]:
    """``pool = Pool(initializer=init, initargs=(table,))`` or ``with Pool(...) as pool:``: the pool's name, the
    call, the names in ``initargs`` and the globals the initializer reads."""
    pairs: list[tuple[ast.expr, ast.expr | None]] = []
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        pairs.append((stmt.value, stmt.targets[0]))
    for value, target in pairs:
        if not (isinstance(value, ast.Call) and isinstance(target, ast.Name)):
            continue
        made = ctx.qualify(dotted_name(value.func))
        if not (made.startswith("multiprocessing") and made.endswith(".Pool")):
            continue
        given = {k.arg: k.value for k in value.keywords}
        # Pool(2, init, (table,)): the first three positional parameters
        given.update(zip(("processes", "initializer", "initargs"), value.args[:3], strict=False))
        sub = Submission(value, "init")
        if "initargs" in given:
            _names(sub, [given["initargs"]])
        init = given.get("initializer")
        reads = _global_reads(ctx, ctx.lookup(init, ctx.tree)) if isinstance(init, ast.Name) else set()
        if sub.args or reads:
            yield target.id, value, sub.args, reads


# --- what changes afterwards ----------------------------------------------------------------------------------
def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter nested functions, classes or lambdas."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in ast.iter_child_nodes(current) if not isinstance(c, _NESTED))


def _changes(stmt: ast.AST) -> Iterator[tuple[str, ast.AST, str]]:
    """In-place changes in ``stmt``: (name, node, ``"mutate"``) and rebindings (name, node, ``"rebind"``)."""
    for node in _walk(stmt):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            for part in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                # report the whole statement, except a `for` target (the loop itself is long)
                shown = part if isinstance(node, (ast.For, ast.AsyncFor)) else node
                if isinstance(part, ast.Name):
                    yield part.id, shown, "rebind"
                elif isinstance(part, (ast.Subscript, ast.Attribute)):
                    root = root_name(part)
                    if root is not None:
                        yield root.id, shown, "mutate"
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATING_METHODS):
            root = root_name(node.func.value)
            if root is not None:
                yield root.id, node, "mutate"


def _waits(stmt: ast.stmt | str, results: set[str]) -> bool:
    """Whether the step uses the results or waits for the tasks."""
    if isinstance(stmt, str):
        return True
    for node in _walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in results:
            return True
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in WAIT_METHODS:
                return True
            if dotted_name(node.func).rsplit(".", 1)[-1] in WAIT_FUNCTIONS:
                return True
    return False


def _first_use(steps: list[ast.stmt | str], results: set[str]) -> int | None:
    return next((i for i, step in enumerate(steps) if _waits(step, results)), None)


def _effect(kind: str, node: ast.AST, name: str, sub: ast.AST, what: str, consequence: str) -> Effect:
    text = " ".join(ast.unparse(node).split())
    return Effect(kind, node, {"stmt": text if len(text) <= 60 else text[:57] + "...", "name": name,
                               "line": str(getattr(sub, "lineno", 0)), "what": what, "consequence": consequence})


def _after(ctx: ModuleContext, sub: Submission, later: list[ast.stmt | str], scope: ScopeNode, local: set[str],
           declared: set[str]) -> list[Effect]:
    """Changes between a submission and the first later use of its results (which must exist)."""
    end = _first_use(later, sub.results)
    if end is None:
        return []
    module = isinstance(scope, ast.Module)
    what = {"pool": "was submitted", "ray": "was submitted", "dask": "was built"}[sub.backend]
    tracked = set(sub.args) if sub.backend in {"pool", "ray"} else set()
    tracked = {n for n in tracked if not is_shared_value(_bound(ctx, n, scope))}
    reads = set(sub.reads) if sub.backend in {"pool", "ray"} else set()
    effects: list[Effect] = []
    for step in later[:end]:
        assert not isinstance(step, str)
        for name, node, how in _changes(step):
            is_global = name in reads and (module or name in declared or (name not in local and how == "mutate"))
            if how == "rebind":
                if is_global and (module or name in declared):
                    effects.append(_effect("global-rebound-after-submit", node, name, sub.node, what,
                                           _ray_global(sub) if sub.backend == "ray" else _COPY))
                tracked.discard(name)
                reads.discard(name)
            elif name in tracked:
                effects.append(_effect("mutated-after-submit", node, name, sub.node, what,
                                       _RAY if sub.backend == "ray" else _TIMING))
            elif is_global:
                effects.append(_effect("mutated-after-submit", node, name, sub.node, what,
                                       _ray_global(sub) if sub.backend == "ray" else _COPY))
    return effects


def _ray_global(sub: Submission) -> str:
    return _RAY_ACTOR if sub.actor else _RAY_GLOBAL


def _in_loop(loop: ast.For | ast.AsyncFor | ast.While, subs: list[Submission],
             later: list[ast.stmt | str]) -> list[Effect]:
    """A loop that submits or builds tasks and changes what they read: the next iteration changes it after the
    previous one handed it over. Ray copies arguments at the call, so only its globals count."""
    results = set().union(*(s.results for s in subs))
    if _first_use(later, results) is None:
        return []
    effects: list[Effect] = []
    reported: set[int] = set()
    for sub in subs:
        if sub.backend == "dask":
            watched, consequence = sub.args | sub.closure, _DASK
        elif sub.backend == "pool":
            watched, consequence = sub.args | sub.reads, _TIMING
        else:
            watched, consequence = set(sub.reads), _ray_global(sub)
        rebound = {name for name, _node, how in _changes(loop) if how == "rebind"}
        for name, node, how in _changes(loop):
            if how != "mutate" or name not in watched or id(node) in reported:
                continue
            if name in rebound:  # `cfg = {...}` inside the loop: a fresh object each time
                continue
            copied = name in sub.reads and name not in sub.args and sub.backend == "pool"
            reported.add(id(node))
            effects.append(_effect("mutated-after-submit", node, name, sub.node, "is handed to tasks in this loop",
                                   _COPY if copied else consequence))
    return effects


def _after_pool_start(pool: str, start: ast.Call, names: set[str], reads: set[str], later: list[ast.stmt | str],
                      local: set[str], declared: set[str], module: bool) -> list[Effect]:
    """Changes to the initializer's objects after ``Pool(...)`` started, before a later use of the pool."""
    uses = [i for i, step in enumerate(later) if not isinstance(step, str) and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
        and n.func.value.id == pool and n.func.attr not in {"close", "terminate", "join"} for n in _walk(step))]
    if not uses:
        return []
    tracked = set(names)
    effects: list[Effect] = []
    for step in later[:uses[-1]]:
        if isinstance(step, str):
            continue
        for name, node, how in _changes(step):
            if how == "rebind":
                if name in reads and (module or name in declared):
                    effects.append(_effect("initargs-changed", node, name, start, "started", _INIT))
                tracked.discard(name)
                reads.discard(name)
            elif name in tracked or (name in reads and (module or name not in local or name in declared)):
                effects.append(_effect("initargs-changed", node, name, start, "started", _INIT))
    return effects
