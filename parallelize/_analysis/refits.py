"""A proved pattern for an outer estimator: re-parameterised and refitted at the top of every iteration, read only
after that, and never used after the loop (:func:`refitted`).

``clf = SVC()`` before the loop, then ``clf.set_params(C=c); clf.fit(X, y); scores.append(clf.score(X, y))`` in
it: the serial loop leaves ``clf`` fitted for the last ``c``; workers each fit their own copy. The two agree on
everything the program can see when all of this holds:

1. **A fresh object, reached by one name.** ``clf`` is bound once in the scope, before the loop, to a
   scikit-learn constructor call (``SVC(...)``, ``make_pipeline(...)``, ``clone(m)``) whose arguments hold nothing
   mutable from outside (constants, imported functions, immutable values) and no ``warm_start`` that could be
   true; or it is the target of the one loop around this one, which iterates a display of such calls
   (``for name, clf in {"svr": SVR(), "krr": KernelRidge()}.items():``), so every pass binds a new estimator.
   Only scikit-learn's classes count: their ``fit`` is a reset, another library's may go on learning. No closure reads
   it, no ``global``/``nonlocal`` names it, and before the loop it is only called (a discarded result) or read.
2. **Reset first.** In the body, the first statements that mention ``clf`` are ``clf.set_params(k=v, ...)`` (keywords
   only), then at most one ``clf.fit(...)``, all unconditional statements of the body itself, none of them reading
   ``clf`` in its arguments. Each iteration so sets every parameter an earlier iteration changed, and a fit
   (scikit-learn's contract: ``fit`` discards what an earlier fit learnt, unless ``warm_start``) replaces the
   fitted state: what the rest of the iteration reads is the same as in the serial loop.
3. **Then only read.** Later mentions predict or score (:data:`ESTIMATOR_READS`), read a fitted attribute
   (``clf.coef_``, ``clf["svc"].n_support_``), or hand ``clf`` to a function that only reads or clones it
   (:data:`ESTIMATOR_CONSUMERS`). Nothing keeps ``clf`` or a step of it: a kept reference would be one object in
   the serial loop and one copy per iteration in workers.
4. **Dead after the loop.** No mention of ``clf`` after the loop, nor elsewhere in a loop that encloses it (its
   next iteration would see the last fit), unless ``clf`` is rebuilt inside that enclosing loop before this one.

Threads share ``clf``, so there iterations race on it: the head calls stay facts (``shared-refit``) that PAR102
reports under threads. A fit that draws from the global generator (an estimator of the catalogue built without
``random_state``) is PAR602, as for an estimator built in the body.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from parallelize._analysis.estimators import _built_unseeded
from parallelize._analysis.fresh import Kept, fresh_estimator, fresh_part, may_warm, works_in_place
from parallelize._analysis.scopes import NESTED_SCOPES, dotted_name

#: Methods of a fitted estimator that return new data and change nothing.
ESTIMATOR_READS = frozenset(
    {
        "predict", "predict_proba", "predict_log_proba", "decision_function", "score", "score_samples",
        "transform", "inverse_transform", "get_feature_names_out", "kneighbors", "radius_neighbors",
        "staged_predict", "staged_predict_proba", "staged_decision_function", "apply", "decision_path",
        "mahalanobis", "get_precision", "get_covariance",
    }
)
#: Functions that only read the estimator they are given, or fit a clone of it (the short name after imports).
ESTIMATOR_CONSUMERS = frozenset(
    {
        "cross_val_score", "cross_validate", "cross_val_predict", "learning_curve", "validation_curve",
        "permutation_test_score", "permutation_importance", "partial_dependence", "clone", "deepcopy",
        "check_is_fitted",
    }
)
_FITS = frozenset({"fit", "fit_transform", "fit_predict"})
_DEFERRED = (*NESTED_SCOPES, ast.Lambda)


@dataclass(frozen=True)
class Refit:
    """An outer estimator proved to be reset at the top of every iteration and dead after the loop.

    Attributes:
        name: The name it is bound to.
        calls: The head (``set_params`` calls or ``clf.param = v`` assignments, then ``fit``), in order.
        unseeded: The catalogued constructor without ``random_state`` it was built with (``"KMeans(...)"``),
            when the head fits it and no ``set_params`` gives a seed: the fit draws from the global generator.
        built: The constructor calls it may have been built by.
    """

    name: str
    calls: tuple[ast.Call | ast.Assign, ...]
    unseeded: str | None = None
    built: tuple[ast.expr, ...] = ()


def refitted(loop: ast.For, scope: ast.AST, qualify: Callable[[str], str], inert: Callable[[str], bool],
             module: ast.Module) -> list[Refit]:
    """Return the outer estimators of ``loop`` (in ``scope``) that match the whole pattern (module docstring).

    ``inert(name)`` says whether a name used in a constructor's arguments holds nothing a fit could change (an
    import, a function, an immutable value); ``module`` is searched for closures and ``global`` declarations.
    """
    found: list[Refit] = []
    for name in dict.fromkeys(_head_candidates(loop)):
        refit = _proved(loop, scope, name, qualify, inert, module)
        if refit is not None:
            found.append(refit)
    return found


def _head_candidates(loop: ast.For) -> Iterator[str]:
    for stmt in loop.body:
        param = _param_assignment(stmt)
        if param is not None:
            yield param[0]
        chain = _chain(_statement_call(stmt))
        if chain is not None and chain[1][0].func.attr in {"set_params", *_FITS}:  # type: ignore[attr-defined]
            yield chain[0]


def _chain(call: ast.Call | None) -> tuple[str, list[ast.Call]] | None:
    """``obj.set_params(...).fit(...)`` as ``("obj", [set_params call, fit call])``: method calls on a name, each
    on the result of the one before (``set_params`` returns the estimator itself)."""
    calls: list[ast.Call] = []
    node: ast.expr | None = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    if not calls or not isinstance(node, ast.Name):
        return None
    return node.id, calls[::-1]


def _statement_call(stmt: ast.stmt) -> ast.Call | None:
    """The call of ``obj.m(...)`` or ``_ = obj.m(...)`` (a result discarded)."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return stmt.value
    if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "_" and isinstance(stmt.value, ast.Call)):
        return stmt.value
    return None


def _proved(loop: ast.For, scope: ast.AST, name: str, qualify: Callable[[str], str], inert: Callable[[str], bool],
            module: ast.Module) -> Refit | None:
    head = _head(loop, name)
    if head is None:
        return None
    body = getattr(scope, "body", [])
    kept = Kept(lambda other: bound_value(body, other, loop))
    binding: ast.Assign | ast.For | None = single_binding(body, name, loop)
    if isinstance(binding, ast.Assign):
        if not fresh_estimator(binding.value, qualify, inert, kept=kept):
            return None
        built, own = [binding.value], {id(binding.targets[0])}
    else:
        found = _enclosing_target(body, name, loop, qualify, inert, kept)
        if found is None:
            return None
        binding, built = found
        own = {id(n) for n in ast.walk(binding.target)}
    if _declared_or_closed(module, scope, name) or _mentioned(loop.orelse, name) or dynamic_namespace(
        module if isinstance(scope, ast.Module) else scope
    ) or targets_read_after(body, loop):
        return None  # `for ... else:` runs in the caller; `locals()` may read it; a target kept past the loop
    parents = _parents(body)
    end = loop.end_lineno or loop.lineno
    in_loop = node_ids(loop)
    # Enclosing loops that do not rebuild the object: their next iteration would see the last fit.
    stale = [node_ids(outer) for outer in enclosing_loops(body, loop) if id(binding) not in node_ids(outer)]
    head_ids = {id(c.func.value) for c in head if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)}
    head_ids |= {id(t.value) for c in head if isinstance(c, ast.Assign) for t in c.targets
                 if isinstance(t, ast.Attribute)}
    outside: list[ast.Name] = []
    for node in _mentions(body, name):
        if id(node) in own or id(node) in head_ids:
            continue
        inside = id(node) in in_loop
        if node.lineno > end or node.lineno < binding.lineno or (
            not inside and any(id(node) in ids for ids in stale)
        ):
            return None  # read after the loop, or by the next iteration of an enclosing loop
        if not isinstance(node.ctx, ast.Load) or not (_read(node, parents, qualify) or (
            not inside and _setup_call(node, parents, qualify, inert)
        )):
            return None
        if not inside:
            outside.append(node)
    keywords = [k for c in head if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                and c.func.attr == "set_params" for k in c.keywords]
    keywords += [ast.keyword(arg=p[1], value=c.value) for c in head if isinstance(c, ast.Assign)
                 and (p := _param_assignment(c)) is not None]
    if any(may_warm(k.arg or "", k.value) or works_in_place(k) for k in keywords):
        return None
    # A nested key reaching into an outer object a meta-estimator keeps (`estimator__max_depth` on
    # `BaggingClassifier(tree)`) changes that object in the caller, not a clone.
    slots = {slot for slot, _name, _value in kept.found}
    if slots and any(None in slots or slots & set((k.arg or "").split("__")[:-1]) for k in keywords
                     if "__" in (k.arg or "")):
        return None
    if any((k.arg or "").rsplit("__", maxsplit=1)[-1] in TOGGLING and not isinstance(k.value, ast.Constant)
           for k in keywords) and _reads_fitted(loop, name):
        return None  # a fit leaves the attribute an earlier setting made (`oob_score_`): serially, a stale value
    fits = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr in _FITS for c in head)
    seeded = any((k.arg or "").split("__")[-1] == "random_state" and not _is_none(k.value) for k in keywords)
    drawn = [*built, *(value for _slot, _name, value in kept.found)]
    unseeded = next((u for e in drawn if (u := _built_unseeded(e, qualify, lambda _m: False)) is not None), None)
    return Refit(name, tuple(head), unseeded if fits and not seeded else None, tuple(built))


def _enclosing_target(body: list[ast.stmt], name: str, loop: ast.For, qualify: Callable[[str], str],
                      inert: Callable[[str], bool], kept: Kept) -> tuple[ast.For, list[ast.expr]] | None:
    """``for label, clf in {"a": SVC(), "b": Ridge()}.items():`` around the loop, as the one binding of ``clf`` in
    the scope: every pass of that loop binds a different fresh estimator, which only that pass reaches. Returns
    the enclosing loop and the estimators, or ``None``."""
    stores = [n for stmt in body for n in _walk_scope(stmt) if isinstance(n, ast.Name) and n.id == name
              and not isinstance(n.ctx, ast.Load)]
    outer = [o for o in enclosing_loops(body, loop) if isinstance(o, ast.For)
             and any(s is t for s in stores for t in ast.walk(o.target))]
    if len(stores) != 1 or len(outer) != 1:
        return None
    target, values = outer[0].target, outer[0].iter
    method = ""
    if (isinstance(values, ast.Call) and isinstance(values.func, ast.Attribute) and not values.args
            and values.func.attr in {"items", "values"}):
        method, values = values.func.attr, values.func.value
    if isinstance(values, ast.Dict) and method and all(isinstance(k, ast.Constant) for k in values.keys):
        elements = [ast.Tuple(elts=[k, v], ctx=ast.Load()) for k, v in zip(values.keys, values.values, strict=True)
                    if k is not None] if method == "items" else list(values.values)
    elif isinstance(values, (ast.List, ast.Tuple)) and not method:
        elements = list(values.elts)
    else:
        return None
    built = [_part_bound(target, stores[0], element) for element in elements]
    if not built or not all(p is not None and fresh_estimator(p, qualify, inert, kept=kept) for p in built):
        return None
    return outer[0], [p for p in built if p is not None]


def _part_bound(target: ast.expr, name: ast.Name, element: ast.expr) -> ast.expr | None:
    """The part of ``element`` that ``name`` (in ``target``) is bound to, when every other part is a constant."""
    if target is name:
        return element
    if not (isinstance(target, ast.Tuple) and isinstance(element, ast.Tuple)
            and len(target.elts) == len(element.elts)):
        return None
    pairs = list(zip(target.elts, element.elts, strict=True))
    if not all(t is name or isinstance(e, ast.Constant) for t, e in pairs):
        return None
    return next((e for t, e in pairs if t is name), None)


def single_binding(body: list[ast.stmt], name: str, loop: ast.For,
                    values: tuple[type[ast.expr], ...] = (ast.Call,)) -> ast.Assign | None:
    """The one ``name = <call>`` of the scope (or another kind of ``values``), before the loop; ``None`` if there
    is another binding."""
    count = 0
    found: ast.Assign | None = None
    for stmt in body:
        for node in _walk_scope(stmt):
            if isinstance(node, ast.Name):
                count += node.id == name and not isinstance(node.ctx, ast.Load)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                count += node.name == name
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                count += sum((a.asname or a.name.split(".")[0]) == name for a in node.names)
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                  and node.targets[0].id == name and isinstance(node.value, values) and node.lineno < loop.lineno):
                found = node
            if count > 1:
                return None
    return found if count == 1 else None


#: Parameters that decide whether a fit sets some fitted attributes (``oob_score_``, ``best_estimator_``,
#: ``loss_curve_``, ``train_score_``...); a fit with the other setting does not delete what an earlier fit set.
TOGGLING = frozenset({"oob_score", "refit", "early_stopping", "return_train_score", "compute_score",
                      "store_cv_results", "store_cv_values", "compute_distances", "subsample", "n_iter_no_change",
                      "bootstrap", "store_covariance", "compute_full_tree"})


def _reads_fitted(loop: ast.For, name: str) -> bool:
    """``name.attr_`` (a fitted attribute) or ``getattr(name, ...)`` anywhere in the body."""
    return any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name
               and n.attr.endswith("_") and not n.attr.startswith("_") for n in ast.walk(loop))


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _declared_or_closed(module: ast.Module, scope: ast.AST, name: str) -> bool:
    """``global``/``nonlocal`` names it anywhere, or a function, lambda, class body or generator expression reads
    it as a free name (it could run after the loop). For a module-level name, every function of the module counts."""
    for node in ast.walk(module):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
    where = module if isinstance(scope, ast.Module) else scope
    return any(node is not scope and isinstance(node, (*NESTED_SCOPES, ast.GeneratorExp)) and _free_in(node, name)
               for node in ast.walk(where))


def _free_in(node: ast.AST, name: str) -> bool:
    """Whether ``node`` (a nested scope) mentions ``name`` other than as its own parameter or local."""
    if not any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)):
        return False
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return True
    args = node.args
    if any(isinstance(n, ast.Name) and n.id == name for d in (*args.defaults, *args.kw_defaults) if d is not None
           for n in ast.walk(d)):
        return True  # a default value keeps the object
    own = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a is not None}
    body = node.body if isinstance(node.body, list) else [node.body]
    assigned = any(isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
                   for stmt in body for n in _walk_scope(stmt))
    return name not in own and not assigned


def _param_assignment(stmt: ast.stmt) -> tuple[str, str] | None:
    """``clf.n_components = n`` as ``("clf", "n_components")``: a public parameter set by assignment, as
    ``set_params`` sets it (a scikit-learn estimator keeps its parameters as attributes of those names)."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)):
        return None
    target = stmt.targets[0]
    if not isinstance(target.value, ast.Name) or target.attr.startswith("_") or target.attr.endswith("_"):
        return None
    return target.value.id, target.attr


def _head(loop: ast.For, name: str) -> list[ast.Call | ast.Assign] | None:
    """The ``set_params`` calls and parameter assignments, then at most one fit, that open the body's mentions
    of ``name``."""
    head: list[ast.Call | ast.Assign] = []
    fitted = False
    for stmt in loop.body:
        if not any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt)):
            continue
        param = _param_assignment(stmt)
        if param is not None and param[0] == name and not fitted:
            assert isinstance(stmt, ast.Assign)
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt.value)):
                return None  # the new value reads the object itself
            head.append(stmt)
            continue
        chain = _chain(_statement_call(stmt))
        if chain is None or chain[0] != name or fitted:
            break
        for call in chain[1]:
            attr = call.func.attr  # type: ignore[attr-defined]
            if fitted or not (attr in _FITS or (attr == "set_params" and not call.args
                              and all(k.arg is not None for k in call.keywords))):
                return (head or None) if call is chain[1][0] else None  # a chain going on past the reset
            if any(isinstance(n, ast.Name) and n.id == name for a in (*call.args, *call.keywords)
                   for n in ast.walk(a)):
                return None  # the new parameters or the data read the object itself
            head.append(call)
            fitted = attr in _FITS
    return head or None


def _read(node: ast.Name, parents: dict[int, ast.AST], qualify: Callable[[str], str]) -> bool:
    """``node`` (the estimator's name) only read: a predict/score, a fitted attribute, or given to a consumer."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Call) and (node in parent.args or any(k.value is node for k in parent.keywords)):
        dotted = dotted_name(parent.func)
        return bool(dotted) and qualify(dotted).rpartition(".")[2] in ESTIMATOR_CONSUMERS
    current: ast.AST = node
    while True:
        parent = parents.get(id(current))
        if isinstance(parent, ast.Attribute) and parent.value is current:
            if parent.attr.endswith("_") and not parent.attr.startswith("_") and "estimator" not in parent.attr:
                return True  # a fitted attribute: data the fit made, not the object
            call = parents.get(id(parent))
            if parent.attr in ESTIMATOR_READS and isinstance(call, ast.Call) and call.func is parent:
                return True
            if parent.attr not in {"named_steps", "steps"}:
                return False
            current = parent
        elif isinstance(parent, ast.Subscript) and parent.value is current and isinstance(parent.ctx, ast.Load):
            current = parent  # a step of a pipeline: read on only if a fitted attribute or a read follows
        else:
            return False


def _setup_call(node: ast.Name, parents: dict[int, ast.AST], qualify: Callable[[str], str],
                inert: Callable[[str], bool]) -> bool:
    """Before the loop, ``node.fit(...)`` or ``node.set_params(k=v)`` as a statement, with values that
    :func:`fresh_part` accepts and no ``warm_start`` or ``copy=False``: a setting the head's resets and fit
    override or leave harmless (a generator given as ``random_state`` here would be advanced by every fit)."""
    attr = parents.get(id(node))
    call = parents.get(id(attr)) if isinstance(attr, ast.Attribute) else None
    stmt = parents.get(id(call)) if isinstance(call, ast.Call) and call.func is attr else None
    if not (isinstance(stmt, ast.Expr) and isinstance(call, ast.Call) and isinstance(attr, ast.Attribute)):
        return False
    if attr.attr in _FITS:
        return True
    return attr.attr == "set_params" and not call.args and all(
        k.arg is not None and not may_warm(k.arg, k.value) and not works_in_place(k)
        and fresh_part(k.value, qualify, inert) for k in call.keywords)


def bound_value(body: list[ast.stmt], name: str, loop: ast.For) -> ast.expr | None:
    """The one value ``name`` is bound to in the scope (``body``), before the loop; ``None`` otherwise. A target
    of an enclosing ``for`` over values that are not objects built there (no constructor call, no lambda in its
    iterable: ``for i, threshold in enumerate(thresholds)``) counts as a constant."""
    binding = single_binding(body, name, loop, (ast.expr,))
    if binding is not None:
        return binding.value
    for outer in enclosing_loops(body, loop):
        if isinstance(outer, ast.For) and name in {n.id for n in ast.walk(outer.target) if isinstance(n, ast.Name)}:
            built = any(isinstance(n, ast.Lambda) or (isinstance(n, ast.Call) and dotted_name(n.func).rpartition(
                ".")[2][:1].isupper()) for n in ast.walk(outer.iter))
            return None if built else ast.Constant(value=0)
    return None


def _mentioned(stmts: list[ast.stmt], name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for stmt in stmts for n in ast.walk(stmt))


#: Builtins that read or write a scope's names by string.
_NAMESPACE_CALLS = frozenset({"locals", "globals", "vars", "eval", "exec"})


def dynamic_namespace(where: ast.AST) -> bool:
    """Whether ``where`` calls ``locals()``, ``globals()``, ``vars()``, ``eval`` or ``exec``: any name may be read
    through them."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _NAMESPACE_CALLS
               for n in ast.walk(where))


def targets_read_after(body: list[ast.stmt], loop: ast.For, names: set[str] | None = None) -> bool:
    """Whether a name of the loop's target (of ``names`` only, when given) is read after the loop in the scope
    before being bound again (the serial loop leaves the last item there, as the last iteration left it). With
    no ``names``, only a loop over built objects (a constructor call in its iterable) counts."""
    if names is None:
        built = any(isinstance(n, ast.Call) and dotted_name(n.func).rpartition(".")[2][:1].isupper()
                    for n in ast.walk(loop.iter))
        names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)} if built else set()
    end = loop.end_lineno or loop.lineno
    for name in names:
        later = sorted((n for n in _mentions(body, name) if n.lineno > end), key=lambda n: (n.lineno, n.col_offset))
        if later and isinstance(later[0].ctx, ast.Load):
            return True
    return False


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter functions, lambdas, classes and generator expressions (:func:`_free_in`
    judges those)."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, (*_DEFERRED, ast.GeneratorExp)):
            continue
        pending.extend(ast.iter_child_nodes(current))


def _mentions(body: list[ast.stmt], name: str) -> Iterator[ast.Name]:
    for stmt in body:
        for node in _walk_scope(stmt):
            if isinstance(node, ast.Name) and node.id == name:
                yield node


def _parents(body: list[ast.stmt]) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    for stmt in body:
        for node in ast.walk(stmt):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
    return parents


def enclosing_loops(body: list[ast.stmt], loop: ast.For) -> list[ast.AST]:
    return [node for stmt in body for node in _walk_scope(stmt)
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node is not loop and id(loop) in node_ids(node)]


def node_ids(node: ast.AST) -> set[int]:
    return {id(n) for n in ast.walk(node)}
