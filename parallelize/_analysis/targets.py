"""Which code runs in parallel: our decorators, and functions handed to joblib, pools, executors, threads, Dask.

Our decorators count written with ``@`` and applied as calls (``run = parallel_for(loop=False)(task)``). A function
handed over by name is looked up in the same module (through ``functools.partial`` too); a lambda is analysed in
place. Loops in the parent over results (``as_completed``, ``imap``) are not task code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from parallelize._analysis.catalogue import MUTATING_METHODS
from parallelize._analysis.context import FunctionNode, ModuleContext, ScopeNode, owner_from
from parallelize._analysis.facts import Effect
from parallelize._analysis.handover import Passed, passed_at, shared_parameters
from parallelize._analysis.scopes import dotted_name, target_names
from parallelize._analysis.subclasses import first_attribute, shared_attributes, worker_runs

OUR_DECORATORS = {"parallel_for": "processes", "io_bound": "threads"}
TASK_DECORATORS = {"delayed", "remote"}  # joblib/dask.delayed, ray.remote
POOL_METHODS = frozenset(
    {"map", "imap", "imap_unordered", "starmap", "apply_async", "apply", "map_async", "starmap_async", "submit"}
)
POOL_FACTORIES = ("Pool", "Executor", "get_reusable_executor", "Client", "ThreadPool")
POOL_NAMES = ("pool", "executor", "client", "exe")
#: How many of the values a name handed over is bound to are followed (a hostile file may rebind it thousands of
#: times); past this the task may go unanalysed.
MAX_REBINDINGS = 8
# Map functions of other libraries that take the task function first: last name → where the tasks run.
# p_tqdm, tqdm.contrib.concurrent; pools of pathos (``ProcessPool``, ``ThreadPool``) and mpire (``WorkerPool``)
# are caught by POOL_FACTORIES ("Pool" in the constructor's name).
MAP_FUNCTIONS = {
    "p_map": "processes", "p_umap": "processes", "p_imap": "processes", "p_uimap": "processes",
    "process_map": "processes", "thread_map": "threads",
}


@dataclass
class Target:
    """A function that runs as a task.

    Attributes:
        node: The function (or lambda).
        mode: ``"processes"`` or ``"threads"``.
        loop: The decorator's ``loop=`` (``None``, ``True``, an int, or ``False``; see ``loops.choose_loop``);
            ``False`` for a function handed to a pool, which is a task as a whole (map mode).
        scope: The scope the function is defined in.
        keep: Which of the task's effects are findings (``None``: all); a worker subclass's ``run()`` keeps
            only the writes to ``self`` that the parent or other workers see.
        shared: Parameters that every hand-over site fills with a shared object (handover.py) → the
            expression that built the object at the first site.
    """

    node: FunctionNode | ast.Lambda
    mode: str
    loop: object
    scope: ScopeNode
    keep: Callable[[Effect], bool] | None = None
    shared: dict[str, ast.expr] = field(default_factory=dict)


def decorator_target(
    func: FunctionNode, qualify: Callable[[str], str] = lambda dotted: dotted
) -> tuple[str, object] | None:
    """Return (mode, loop option) when ``func`` carries one of our decorators or a task decorator (``qualify``
    resolves import aliases: ``from ray import remote as task``)."""
    for deco in func.decorator_list:
        call = deco if isinstance(deco, ast.Call) else None
        name = qualify(dotted_name(call.func if call else deco)).rsplit(".", 1)[-1]
        if name in OUR_DECORATORS:
            return our_options(name, call.keywords if call else [])
        if name in TASK_DECORATORS:
            return "processes", False
    return None


def our_options(name: str, keywords: list[ast.keyword]) -> tuple[str, object]:
    """Return (mode, loop option) of ``parallel_for``/``io_bound`` called with ``keywords``."""
    given = {k.arg: k.value for k in keywords}
    mode = OUR_DECORATORS[name]
    backend = given.get("backend")
    if isinstance(backend, ast.Constant) and backend.value == "threads":
        mode = "threads"
    option = given.get("loop")
    # A value only known at run time (`loop=flag`) is read as the default, which picks the only loop.
    return mode, option.value if isinstance(option, ast.Constant) else None


def applied_decorator(call: ast.Call) -> tuple[ast.expr, str, object] | None:
    """Return (function, mode, loop option) for our decorator applied as a call: ``parallel_for(f)``,
    ``parallel_for(n_jobs=2)(f)``, ``io_bound(max_concurrency=8)(fetch)``."""
    if len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
        return None
    maker = call.func
    name = dotted_name(maker).rsplit(".", 1)[-1]
    if not isinstance(maker, ast.Call) and name in OUR_DECORATORS:
        return (call.args[0], *our_options(name, call.keywords))
    if isinstance(maker, ast.Call) and not maker.args:
        name = dotted_name(maker.func).rsplit(".", 1)[-1]
        if name in OUR_DECORATORS:
            return (call.args[0], *our_options(name, maker.keywords))
    return None


def discover(ctx: ModuleContext) -> tuple[list[Target], list[tuple[Effect, str]]]:
    """Return the module's task functions, and effects found at hand-over sites (``delayed(d.update)``)."""
    # Keyed by (function, how it runs): a function handed to a thread pool and to a process pool is analysed
    # under both; a decorated function (key "decorated") only as its decorator says.
    found: dict[tuple[int, str], Target] = {}
    handover: list[tuple[Effect, str]] = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            decorated = decorator_target(node, ctx.qualify)
            if decorated is not None:
                scope = ctx.parents.get(id(node), ctx.tree)
                # `async def` under @io_bound runs as coroutines on one event loop: no copies, no thread races.
                mode = "asyncio" if isinstance(node, ast.AsyncFunctionDef) and decorated[0] == "threads" else (
                    decorated[0]
                )
                found[(id(node), "decorated")] = Target(node, mode, decorated[1], scope)
    for call, scope in ctx.calls:
        applied = applied_decorator(call)
        target = ctx.lookup(applied[0], scope) if applied is not None else None
        if applied is not None and target is not None and (id(target), "decorated") not in found:
            _func, mode, option = applied
            if isinstance(target, ast.AsyncFunctionDef) and mode == "threads":
                mode = "asyncio"
            found[(id(target), "decorated")] = Target(target, mode, option, ctx.parents.get(id(target), ctx.tree))
    threaded = _threaded_delayed(ctx)
    outer_calls = {id(call.func): call for call, _scope in ctx.calls if isinstance(call.func, ast.Call)}
    sites: dict[tuple[int, str], list[dict[str, ast.expr]]] = {}
    comprehensions = _Comprehensions(ctx.tree)
    for call, scope in ctx.calls:
        for func, mode, pool in _handed_over(ctx, call, scope):
            passed = passed_at(call, pool, outer_calls.get(id(call)))
            site = _Site(scope, call, passed, sites, comprehensions)
            _add(ctx, found, handover, func, "threads" if id(call) in threaded else mode, site)
    for key, given in sites.items():
        if key in found:
            everywhere = set(given[0]).intersection(*given[1:])
            found[key].shared = {name: given[0][name] for name in everywhere}
    for run, mode, keep in worker_runs(ctx):  # class W(threading.Thread) / (multiprocessing.Process): run()
        found.setdefault((id(run), mode), Target(run, mode, False, ctx.parents.get(id(run), ctx.tree), keep))
    return list(found.values()), handover


def _threaded_delayed(ctx: ModuleContext) -> set[int]:
    """Return the ``delayed(f)`` calls fed to ``Parallel(prefer="threads" | require="sharedmem" | threading)``."""
    found: set[int] = set()
    for call, _scope in ctx.calls:
        maker = call.func
        if not (isinstance(maker, ast.Call) and dotted_name(maker.func).rsplit(".", 1)[-1] == "Parallel"):
            continue
        options = {k.arg: k.value.value for k in maker.keywords if isinstance(k.value, ast.Constant)}
        if options.get("prefer") == "threads" or options.get("require") == "sharedmem" or options.get(
            "backend"
        ) in {"threading", "threads"}:
            found.update(id(node) for arg in call.args for node in ast.walk(arg) if isinstance(node, ast.Call))
    return found


def _handed_over(
    ctx: ModuleContext, call: ast.Call, scope: ScopeNode
) -> list[tuple[ast.expr, str, ast.expr | None]]:
    """Return (function handed over, where it runs, the expression its pool was built from) for ``call``."""
    func = call.func
    name = ctx.qualify(dotted_name(func))  # `PPE` → `concurrent.futures.ProcessPoolExecutor` after `import … as`
    last = name.rsplit(".", 1)[-1]
    if name in ctx.parallel_callables and call.args:  # a project's own `pmap(func, items, ...)`
        return [(call.args[0], ctx.parallel_callables[name], None)]
    if last in TASK_DECORATORS and len(call.args) == 1 and not call.keywords:
        return [(call.args[0], "processes", None)]
    if last in MAP_FUNCTIONS and call.args:
        return [(call.args[0], MAP_FUNCTIONS[last], None)]
    if last in {"Thread", "Process", "Timer"}:
        target = next((k.value for k in call.keywords if k.arg == "target"), None)
        mode = "processes" if last == "Process" else "threads"
        if target is None and last == "Timer" and len(call.args) > 1:
            target = call.args[1]
        return [(target, mode, None)] if target is not None else []
    if isinstance(func, ast.Attribute) and func.attr in POOL_METHODS and call.args:
        receiver = dotted_name(func.value)
        value: ast.expr | None = func.value
        if isinstance(func.value, ast.Name):
            value = _bound_value(ctx, func.value.id, scope)
        if _is_pool_call(ctx, value) or any(word in receiver.lower() for word in POOL_NAMES):
            made = ctx.qualify(dotted_name(value)) if isinstance(value, ast.Call) else receiver
            mode = "threads" if "thread" in made.lower() or "thread" in receiver.lower() else "processes"
            return [(call.args[0], mode, value)]
    return []


def _is_pool_call(ctx: ModuleContext, node: ast.expr | None) -> bool:
    """Return whether ``node`` builds a pool or executor (``mp.Pool()``, ``PPE()`` after ``import … as PPE``)."""
    return isinstance(node, ast.Call) and any(f in ctx.qualify(dotted_name(node.func)) for f in POOL_FACTORIES)


@dataclass
class _Site:
    """One hand-over site: where it is, what it passes, and the shared parameters seen per task so far."""

    scope: ScopeNode
    call: ast.Call
    passed: Passed
    shared: dict[tuple[int, str], list[dict[str, ast.expr]]]
    comprehensions: _Comprehensions


def _add(
    ctx: ModuleContext,
    found: dict[tuple[int, str], Target],
    handover: list[tuple[Effect, str]],
    func: ast.expr,
    mode: str,
    site: _Site,
    depth: int = 0,
) -> None:
    scope, passed = site.scope, site.passed
    for _ in range(3):  # partial(partial(f, a), b), and a name bound to a partial
        if isinstance(func, ast.Call) and dotted_name(func.func).rsplit(".", 1)[-1] == "partial" and func.args:
            passed = Passed(passed.positional, passed.keywords).prepend(func.args[1:], func.keywords)
            func = func.args[0]
        elif isinstance(func, ast.Name) and ctx.lookup(func, scope) is None:
            values = _bound_values(ctx, func.id, scope)
            if not values:
                break
            if len(values) > 1 and depth == 0:  # `f = a` then `f = partial(b, x)` in a branch: either may run
                for value in values[:MAX_REBINDINGS]:
                    _add(ctx, found, handover, value, mode, replace(site, passed=passed), depth + 1)
                return
            func = values[0]
        else:
            break
    if isinstance(func, ast.IfExp) and depth < 3:  # `submit(a.up if i % 2 else a.down, n)`: either may run
        for part in (func.body, func.orelse):
            _add(ctx, found, handover, part, mode, replace(site, passed=passed), depth + 1)
        return
    if isinstance(func, ast.Lambda):
        found.setdefault((id(func), mode), Target(func, mode, False, scope))
        return
    node = ctx.lookup(func, scope) or _instance_method(ctx, func, scope)
    if node is not None:
        if (id(node), "decorated") not in found:
            target = found.setdefault((id(node), mode), Target(node, mode, False, ctx.parents.get(id(node), ctx.tree)))
            positional = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
            if isinstance(func, ast.Attribute):  # a bound method: `self` is not one of the arguments passed
                positional = positional[1:]
                _keep_shared_attributes(ctx, target, node)
            given = shared_parameters(ctx, positional + [a.arg for a in node.args.kwonlyargs], passed, scope,
                                      site.call.lineno)
            site.shared.setdefault((id(node), mode), []).append(given)
        return
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in MUTATING_METHODS:
        owner = ctx.resolve_outside(func.value.id, scope) if not isinstance(scope, ast.Module) else None
        binding = ctx.binder(scope).bindings.get(func.value.id)
        if owner is None and binding is not None and binding.kind != "import":
            kind = "module" if isinstance(scope, ast.Module) else "before-loop"
            owner = owner_from(binding, kind, ctx.line_offset)
        if owner is not None and not owner.sync:
            args = {"stmt": ast.unparse(func), "bound": owner.describe(), "name": func.value.id}
            # `delayed(d.update)({i: f(i)}) for i in …`: each task writes its own key
            if func.attr == "update" and _own_keys(passed, site.comprehensions.names_around(site.call)):
                args["slot"] = "own"
            handover.append((Effect("mutating-call", func, args, owner), mode))


class _Comprehensions:
    """The names the comprehensions around a call bind (each task's own, in ``delayed(f)(x) for x in xs``);
    the module is walked once, on the first question."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._around: dict[int, frozenset[str]] | None = None

    def names_around(self, call: ast.Call) -> frozenset[str]:
        if self._around is None:
            self._around = {}
            for node in ast.walk(self._tree):
                if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                    names = frozenset(name for gen in node.generators for name in target_names(gen.target))
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Call):
                            self._around[id(inner)] = self._around.get(id(inner), frozenset()) | names
        return self._around.get(id(call), frozenset())


def _own_keys(passed: Passed, own: frozenset[str]) -> bool:
    """Return whether the one argument passed is a dict display keyed only by the task's own names."""
    value = passed.positional[0] if len(passed.positional) == 1 and not passed.keywords else None
    return (isinstance(value, ast.Dict) and bool(value.keys)
            and all(isinstance(k, ast.Name) and k.id in own for k in value.keys))


def _keep_shared_attributes(ctx: ModuleContext, target: Target, method: FunctionNode) -> None:
    """Do not report writes through ``self.attr`` when the method's class binds ``attr`` to a shared object
    (``self.results = manager.list()`` in ``__init__``)."""
    cls = ctx.parents.get(id(method))
    me = [a.arg for a in (*method.args.posonlyargs, *method.args.args)][:1]
    shared = shared_attributes(ctx, cls) if isinstance(cls, ast.ClassDef) and me and target.keep is None else set()
    if shared:
        target.keep = lambda effect: not (effect.owner is not None and effect.owner.name == me[0]
                                          and effect.owner.kind == "parameter"
                                          and first_attribute(effect.node, me[0]) in shared)


def _bound_values(ctx: ModuleContext, name: str, scope: ScopeNode) -> list[ast.expr]:
    """Return every value a plain assignment binds ``name`` to in the nearest scope that binds it."""
    for candidate in (scope, *ctx.enclosing(scope)):
        binding = ctx.binder(candidate).bindings.get(name)
        if binding is None:
            continue
        values = [value for _line, value in ctx.assignments(candidate).get(name, [])[:MAX_REBINDINGS]]
        return values or ([binding.value] if binding.value is not None else [])
    return []


def _bound_value(ctx: ModuleContext, name: str, scope: ScopeNode) -> ast.expr | None:
    for candidate in (scope, *ctx.enclosing(scope)):
        binding = ctx.binder(candidate).bindings.get(name)
        if binding is not None:
            return binding.value
    return None


def _instance_method(ctx: ModuleContext, func: ast.expr, scope: ScopeNode) -> FunctionNode | None:
    """Return the method ``obj.method`` refers to when ``obj`` was built from a class defined in this module.

    The method then runs as a task with ``self`` as a parameter: an object of the caller's, copied to a process
    worker (its changes are lost) or shared by threads (they race on it).
    """
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    value = _bound_value(ctx, func.value.id, scope)
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
        return None
    cls = next((c for c in ctx.tree.body if isinstance(c, ast.ClassDef) and c.name == value.func.id), None)
    return ctx.defs_in(cls).get(func.attr) if cls is not None else None
