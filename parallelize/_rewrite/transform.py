"""Rewrite a function whose loop the analysis found safe into one that runs the loop's iterations in parallel.

Given ``def f(...): <before>; for T in E: <body>; <after>`` the generated code is::

    def f(...):                               # same signature, defaults and closure cells
        <before>                              # runs once, in the caller
        _pz_iter = E
        if _pz_plan.run_here(_pz_iter):       # the serial debug switch
            for T in _pz_iter: <body>         # the original loop, untouched
        else:
            _pz_run = _pz_plan.start(_pz_iter, locals())
            for _pz_ops in _pz_run:           # per-iteration logs, in iteration order
                for _pz_k, _pz_v in _pz_ops:  # replay collectors and reductions on the real objects
                    if _pz_k == 0: acc.append(*_pz_v[0], **_pz_v[1])
                    elif _pz_k == 1: total += _pz_v
            x = _pz_run.live['x']             # names read after the loop: last iteration's values
        <after>

    def _pz_body(_pz_item, _pz_env):          # shipped to workers by value
        X = _pz_env['X'] ...                  # outer locals the body reads
        _pz_log = []
        T = _pz_item
        <body, each collector/reduction replaced by _pz_log.append((k, value))>
        return (_pz_log, locals())

Line numbers are the user's file and lines, so tracebacks point at their code. Names never get a double
underscore prefix: the code may be compiled inside a class statement, to keep private-name mangling as it was.
"""

from __future__ import annotations

import ast
import sys
import types
from typing import Any

from parallelize._analysis.collectors import KEYED
from parallelize._analysis.facts import Collector, FunctionAnalysis, LoopFacts, Reduction
from parallelize._errors import SharedStateError
from parallelize._rewrite.rewritten import Rewritten, owner_class_name

#: Python 3.12 added ``type_params`` to function and class nodes; older versions must not be given it.
_TYPE_PARAMS: dict[str, Any] = {"type_params": []} if sys.version_info >= (3, 12) else {}


def _name(id_: str, ctx: ast.expr_context | None = None) -> ast.Name:
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _slice_expr(node: ast.expr) -> ast.expr:
    """Turn a subscript's slice into an expression that evaluates to the same key."""
    if isinstance(node, ast.Slice):
        parts = [node.lower, node.upper, node.step]
        args: list[ast.expr] = [p if p is not None else ast.Constant(None) for p in parts]
        return ast.Call(func=_name("slice"), args=args, keywords=[])
    if isinstance(node, ast.Tuple):
        return ast.Tuple(elts=[_slice_expr(e) for e in node.elts], ctx=ast.Load())
    return node


class _BodyRewriter(ast.NodeTransformer):
    """Replaces collector/reduction statements by log appends and top-level ``continue`` by ``return``."""

    def __init__(self, ops: dict[int, int], collectors: dict[int, Collector], reductions: dict[int, Reduction],
                 live: tuple[str, ...] = (), tails: dict[int, Collector] | None = None):
        self.ops = ops
        self.collectors = collectors
        self.reductions = reductions
        self.live = set(live)
        self.deletes = False  # whether a `del` of a name read after the loop was marked
        #: Proved `res[-1].append(e)` statements: `res[-1]` becomes `_pz_tail_res`, the element this iteration
        #: appended last (each `res.append(fresh)` also binds it).
        self.tails = tails or {}
        self.tail_names = {t.name for t in self.tails.values()}

    def visit_Delete(self, node: ast.Delete) -> Any:
        # `del y` in the last iteration leaves `y` unbound after the serial loop; the caller must learn of it,
        # since "not in the iteration's locals" also means "not bound in this iteration" (keep the earlier value).
        names = [n for n in _deleted_names(node.targets) if n in self.live]
        if not names:
            return node
        self.deletes = True
        marks = [ast.copy_location(ast.Expr(value=ast.Call(
            func=ast.Attribute(value=_name("_pz_deleted"), attr="append", ctx=ast.Load()),
            args=[ast.Constant(n)], keywords=[])), node) for n in names]
        return [node, *marks]

    def _log(self, op: int, value: ast.expr, like: ast.stmt) -> ast.stmt:
        call = ast.Call(func=ast.Attribute(value=_name("_pz_log"), attr="append", ctx=ast.Load()),
                        args=[ast.Tuple(elts=[ast.Constant(op), value], ctx=ast.Load())], keywords=[])
        return ast.copy_location(ast.Expr(value=call), like)

    def visit(self, node: ast.AST) -> Any:
        key = id(node)
        if key in self.collectors:
            collector = self.collectors[key]
            stmt = collector.node
            if collector.kind == "setitem":
                assert isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)
                value: ast.expr = ast.Tuple(elts=[_slice_expr(stmt.targets[0].slice), stmt.value], ctx=ast.Load())
            elif collector.kind == KEYED + "setitem":  # `acc[k][j] = e`: both keys, then the value
                assert isinstance(stmt, ast.Assign)
                target = stmt.targets[0]
                assert isinstance(target, ast.Subscript) and isinstance(target.value, ast.Subscript)
                value = ast.Tuple(elts=[_slice_expr(target.value.slice), _slice_expr(target.slice), stmt.value],
                                  ctx=ast.Load())
            else:
                assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                call = stmt.value
                elts = [_materialised(a) for a in call.args]
                if collector.name in self.tail_names:  # `(_pz_tail_res := e)`: what `res[-1]` is from here on
                    elts = [ast.NamedExpr(target=_name(_tail(collector.name), ast.Store()), value=e) for e in elts]
                args = ast.Tuple(elts=elts, ctx=ast.Load())
                keys: list[ast.expr | None] = [None if k.arg is None else ast.Constant(k.arg) for k in call.keywords]
                kwargs = ast.Dict(keys=keys,
                                  values=[k.value for k in call.keywords])
                parts: list[ast.expr] = [args, kwargs]
                if collector.kind.startswith(KEYED):  # `acc[k].append(e)`: the key too, evaluated here, first
                    assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Subscript)
                    parts.insert(0, _slice_expr(call.func.value.slice))
                value = ast.Tuple(elts=parts, ctx=ast.Load())
            return self._log(self.ops[key], value, stmt)
        if key in self.tails:
            stmt = self.tails[key].node
            assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            assert isinstance(stmt.value.func, ast.Attribute)
            stmt.value.func.value = ast.copy_location(_name(_tail(self.tails[key].name)), stmt.value.func.value)
            return self.generic_visit(stmt)
        if key in self.reductions:
            reduction = self.reductions[key]
            return self._log(self.ops[key], reduction.value, reduction.node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return node  # nested scopes keep their own control flow
        if isinstance(node, ast.Delete):
            return self.visit_Delete(node)
        return self.generic_visit(node)


def _tail(name: str) -> str:
    return f"_pz_tail_{name}"


#: Calls that return one-shot iterators: as collector arguments they are consumed in the iteration, not later.
_ITERATOR_CALLS = {"map", "filter", "zip", "iter", "enumerate", "reversed"}


def _materialised(arg: ast.expr) -> ast.expr:
    """Wrap a generator or iterator argument in ``list()`` so it is consumed where the serial loop consumes it."""
    is_iterator = isinstance(arg, ast.GeneratorExp) or (
        isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id in _ITERATOR_CALLS)
    if not is_iterator:
        return arg
    return ast.copy_location(ast.Call(func=_name("list"), args=[arg], keywords=[]), arg)


def _body_result() -> ast.expr:
    locals_call = ast.Call(func=_name("locals"), args=[], keywords=[])
    return ast.Tuple(elts=[_name("_pz_log"), locals_call], ctx=ast.Load())


class _ReplaySubstitute(ast.NodeTransformer):
    """In a copy of a reduction statement, put ``_pz_v`` where the reduced value was."""

    def __init__(self, target: ast.expr) -> None:
        self.target = target

    def visit(self, node: ast.AST) -> Any:
        if node is self.target:
            return _name("_pz_v")
        return super().visit(node)


def _replay_statement(op: Collector | Reduction) -> ast.stmt:
    if isinstance(op, Reduction):
        original = op.node
        marker = op.value
        replaced = _ReplaySubstitute(marker).visit(_copy_keeping(original, marker))
        assert isinstance(replaced, ast.stmt)
        return replaced
    acc = _name(op.name)
    v0 = ast.Subscript(value=_name("_pz_v"), slice=ast.Constant(0), ctx=ast.Load())
    v1 = ast.Subscript(value=_name("_pz_v"), slice=ast.Constant(1), ctx=ast.Load())
    if op.kind == "setitem":
        target = ast.Subscript(value=acc, slice=v0, ctx=ast.Store())
        return ast.Assign(targets=[target], value=v1, lineno=op.node.lineno)
    if op.kind.startswith(KEYED):  # `acc[_pz_v[0]].append(*_pz_v[1], **_pz_v[2])`
        v2 = ast.Subscript(value=_name("_pz_v"), slice=ast.Constant(2), ctx=ast.Load())
        element = ast.Subscript(value=acc, slice=v0, ctx=ast.Load())
        if op.kind == KEYED + "setitem":  # `acc[_pz_v[0]][_pz_v[1]] = _pz_v[2]`
            target = ast.Subscript(value=element, slice=v1, ctx=ast.Store())
            return ast.Assign(targets=[target], value=v2, lineno=op.node.lineno)
        call = ast.Call(func=ast.Attribute(value=element, attr=op.kind.removeprefix(KEYED), ctx=ast.Load()),
                        args=[ast.Starred(value=v1, ctx=ast.Load())], keywords=[ast.keyword(arg=None, value=v2)])
        return ast.Expr(value=call)
    call = ast.Call(func=ast.Attribute(value=acc, attr=op.kind, ctx=ast.Load()),
                    args=[ast.Starred(value=v0, ctx=ast.Load())], keywords=[ast.keyword(arg=None, value=v1)])
    return ast.Expr(value=call)


def _copy_keeping(node: ast.stmt, marker: ast.expr) -> ast.stmt:
    # A copy loses identity; the memo maps the marker to itself so it can be found again.
    copied = clone(node, {id(marker): marker})
    assert isinstance(copied, ast.stmt)
    return copied


def clone(node: Any, memo: dict[int, Any]) -> Any:
    """Copy an AST (nodes and lists; leaves are immutable), recording old id -> new node in ``memo``.

    About ten times faster than ``copy.deepcopy``, which dominated the cost of decorating a function. Only the
    node's own fields and positions are copied: other tools attach attributes of their own, and CPython's parser
    shares one ``Load``/``Store``/operator instance across all trees, so IPython's traceback display (which links
    every node of a cell to its parent) leaves those singletons pointing into a foreign tree (issue 15).
    """
    known = memo.get(id(node))
    if known is not None:
        return known
    if isinstance(node, list):
        return [clone(item, memo) for item in node]
    if not isinstance(node, ast.AST):
        return node
    new = node.__class__.__new__(node.__class__)
    for name in (*node._fields, *node._attributes):
        if name in node.__dict__:
            value = node.__dict__[name]
            setattr(new, name, clone(value, memo) if isinstance(value, (list, ast.AST)) else value)
    memo[id(node)] = new
    return new


def _names_loaded(nodes: list[ast.stmt]) -> set[str]:
    found: set[str] = set()
    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                found.add(node.id)
    return found


def _function_locals(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
    for extra in (func.args.vararg, func.args.kwarg):
        if extra is not None:
            names.add(extra.arg)
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _replace_in_parent(root: ast.AST, target: ast.stmt, replacement: list[ast.stmt]) -> None:
    for node in ast.walk(root):
        for field, value in ast.iter_fields(node):
            if isinstance(value, list) and any(item is target for item in value):
                index = next(i for i, item in enumerate(value) if item is target)
                value[index:index + 1] = replacement
                setattr(node, field, value)
                return
    raise LookupError("the loop was not found in its function")


def _find_code(code: types.CodeType, name: str) -> types.CodeType:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name:
                return const
            try:
                return _find_code(const, name)
            except LookupError:
                pass
    raise LookupError(name)


def rewrite(fn: types.FunctionType, analysis: FunctionAnalysis, filename: str, owner_class: str | None) -> Rewritten:
    """Compile the parallel version of ``fn`` from its analysis (whose loop has no findings)."""
    facts = analysis.loop
    original_func = analysis.function
    assert facts is not None and original_func is not None
    # Identity maps on the analysed tree, then one deep copy that keeps them aligned.
    ops_list: list[Collector | Reduction] = [*facts.collectors, *facts.reductions]
    ops_list.sort(key=lambda op: (op.node.lineno, op.node.col_offset))
    memo: dict[int, Any] = {}
    func = clone(original_func, memo)
    loop = memo[id(facts.node)]
    remap: dict[int, int] = {id(memo[id(op.node)]): k for k, op in enumerate(ops_list)}
    collectors = {id(memo[id(c.node)]): _remapped_collector(c, memo) for c in facts.collectors}
    reductions = {id(memo[id(r.node)]): _remapped_reduction(r, memo) for r in facts.reductions}
    func.decorator_list = []

    accumulators = {op.name for op in ops_list}
    # Names the body reads, and names it deletes (a `del` of a name bound before the loop needs it bound).
    deleted = {n for node in ast.walk(loop) if isinstance(node, ast.Delete) for n in _deleted_names(node.targets)}
    env_names = tuple(sorted(
        ((_names_loaded(loop.body) | deleted) & (_function_locals(original_func) | set(fn.__code__.co_freevars)))
        - (accumulators - facts.own_slices) - {"_pz_log", "_pz_item", "_pz_env"}
    ))
    # Names read after the loop hold the last iteration's values; so do those read in its `else:` clause, and
    # names the loop deletes (bound before it, they are unbound after it if the last iteration deleted them).
    live_names = tuple(sorted(set(facts.live_after) | (_names_loaded(loop.orelse) & set(facts.private))
                              | (deleted & _function_locals(original_func))))

    original_loop = clone(loop, {})
    tails = {id(memo[id(t.node)]): _remapped_collector(t, memo) for t in facts.tails}
    rewriter = _BodyRewriter(remap, collectors, reductions, live_names, tails)
    body_stmts: list[ast.stmt] = []
    for stmt in loop.body:
        visited = rewriter.visit(stmt)
        body_stmts.extend(visited if isinstance(visited, list) else [visited])
    body_func = _body_function(loop, body_stmts, env_names, rewriter.deletes)
    replays = [_replay_statement(op) for op in (_remapped(op, memo) for op in ops_list)]
    later = [k for k, op in enumerate(ops_list) if op.name in facts.own_slices]
    replacement = _caller_statements(loop, original_loop, replays, live_names, later)
    _replace_in_parent(func, loop, replacement)

    freevars = list(fn.__code__.co_freevars)
    factory = ast.FunctionDef(
        name="_pz_factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in ["_pz_plan", *freevars]], vararg=None,
                           kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[func, ast.Return(value=_name(func.name))], decorator_list=[], returns=None, **_TYPE_PARAMS,
    )
    module_body: list[ast.stmt] = [factory, body_func]
    if owner_class:
        module_body = [ast.ClassDef(name=owner_class, bases=[], keywords=[], body=module_body, decorator_list=[],
                                    **_TYPE_PARAMS)]
    module = ast.Module(body=module_body, type_ignores=[])
    ast.fix_missing_locations(module)
    if analysis.line_offset:
        ast.increment_lineno(module, analysis.line_offset)
    code = compile(module, filename, "exec", dont_inherit=True)
    func_code = _find_code(_find_code(code, "_pz_factory"), func.name)
    body_code = _find_code(code, "_pz_body")
    if body_code.co_freevars:
        names = ", ".join(body_code.co_freevars)
        raise SharedStateError(
            f"{fn.__qualname__}: the loop body needs the enclosing class's hidden cell ({names}), e.g. for "
            "zero-argument super(), which cannot travel to a worker; write super(ClassName, self) instead, or "
            "decorate with loop=False and use .map")
    return Rewritten(func_code, body_code, env_names, live_names)


def _remapped(op: Collector | Reduction, memo: dict[int, Any]) -> Collector | Reduction:
    return _remapped_collector(op, memo) if isinstance(op, Collector) else _remapped_reduction(op, memo)


def _remapped_collector(c: Collector, memo: dict[int, Any]) -> Collector:
    return Collector(c.name, c.kind, memo[id(c.node)], c.lineno)


def _remapped_reduction(r: Reduction, memo: dict[int, Any]) -> Reduction:
    return Reduction(r.name, r.op, memo[id(r.node)], memo[id(r.value)], r.lineno)


def _body_function(loop: ast.For, body: list[ast.stmt], env_names: tuple[str, ...],
                   deletes: bool = False) -> ast.FunctionDef:
    prologue: list[ast.stmt] = []
    if deletes:
        empty = ast.List(elts=[], ctx=ast.Load())
        prologue.append(ast.Assign(targets=[_name("_pz_deleted", ast.Store())], value=empty))
    for name in env_names:
        # Only names bound in the caller are passed; reading one that was unbound fails as it would serially.
        prologue.append(ast.If(
            test=ast.Compare(left=ast.Constant(name), ops=[ast.In()], comparators=[_name("_pz_env")]),
            body=[ast.Assign(targets=[_name(name, ast.Store())],
                             value=ast.Subscript(value=_name("_pz_env"), slice=ast.Constant(name), ctx=ast.Load()))],
            orelse=[]))
    prologue.append(ast.Assign(targets=[_name("_pz_log", ast.Store())], value=ast.List(elts=[], ctx=ast.Load())))
    target = clone(loop.target, {})
    prologue.append(ast.copy_location(ast.Assign(targets=[target], value=_name("_pz_item")), loop))
    func = ast.FunctionDef(
        name="_pz_body",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg="_pz_item"), ast.arg(arg="_pz_env")], vararg=None,
                           kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[*prologue, _one_shot(body, loop), ast.Return(value=_body_result())], decorator_list=[], returns=None,
        **_TYPE_PARAMS,
    )
    return ast.copy_location(func, loop)


def _one_shot(body: list[ast.stmt], loop: ast.For) -> ast.stmt:
    """``for _pz_once in (0,): <body>``: the iteration's ``continue`` leaves it after ``finally`` blocks ran."""
    once = ast.For(target=_name("_pz_once", ast.Store()), iter=ast.Tuple(elts=[ast.Constant(0)], ctx=ast.Load()),
                   body=body, orelse=[])
    return ast.copy_location(once, loop)


def _caller_statements(loop: ast.For, original: ast.For, replays: list[ast.stmt],
                       live: tuple[str, ...], later: list[int] | None = None) -> list[ast.stmt]:
    """The caller's side. Operations numbered in ``later`` (own-slice writes, which other iterations' bodies may
    still be reading) are kept, in iteration order, and applied once every iteration has run (also when one
    failed: those that ran are applied, as the serial loop would have)."""
    plan = _name("_pz_plan")
    later = later or []
    replays = list(replays)
    applied = {k: replays[k] for k in later}
    for k in later:  # keep (k, value) now, assign after the loop
        replays[k] = ast.Expr(value=ast.Call(
            func=ast.Attribute(value=_name("_pz_later"), attr="append", ctx=ast.Load()),
            args=[ast.Tuple(elts=[_name("_pz_k"), _name("_pz_v")], ctx=ast.Load())], keywords=[]))
    iter_assign = ast.Assign(targets=[_name("_pz_iter", ast.Store())], value=loop.iter)
    original.iter = _name("_pz_iter")
    original.orelse = []
    inner = _replay_loop(_name("_pz_ops"), dict(enumerate(replays)))
    start = ast.Assign(targets=[_name("_pz_run", ast.Store())], value=ast.Call(
        func=ast.Attribute(value=plan, attr="start", ctx=ast.Load()),
        args=[_name("_pz_iter"), ast.Call(func=_name("locals"), args=[], keywords=[])], keywords=[]))
    outer: ast.stmt = ast.For(target=_name("_pz_ops", ast.Store()), iter=_name("_pz_run"), body=[inner], orelse=[])
    if later:
        keep = ast.Assign(targets=[_name("_pz_later", ast.Store())], value=ast.List(elts=[], ctx=ast.Load()))
        outer = ast.Try(body=[keep, outer], handlers=[], orelse=[],
                        finalbody=[_replay_loop(_name("_pz_later"), applied)])
    live_run = ast.Attribute(value=_name("_pz_run"), attr="live", ctx=ast.Load())
    deleted_run = ast.Attribute(value=_name("_pz_run"), attr="deleted", ctx=ast.Load())
    binds = [ast.If(test=ast.Compare(left=ast.Constant(n), ops=[ast.In()], comparators=[live_run]),
                    body=[ast.Assign(targets=[_name(n, ast.Store())],
                                     value=ast.Subscript(value=live_run, slice=ast.Constant(n), ctx=ast.Load()))],
                    orelse=[ast.If(test=ast.Compare(left=ast.Constant(n), ops=[ast.In()], comparators=[deleted_run]),
                                   body=[_unbind(n)], orelse=[])]) for n in live]
    branch = ast.If(
        test=ast.Call(func=ast.Attribute(value=plan, attr="run_here", ctx=ast.Load()), args=[_name("_pz_iter")],
                      keywords=[]),
        body=[original], orelse=[start, outer, *binds])
    statements = [iter_assign, branch, *loop.orelse]
    for stmt in statements:
        ast.copy_location(stmt, loop)
    return statements


def _replay_loop(ops: ast.expr, replays: dict[int, ast.stmt]) -> ast.stmt:
    """``for _pz_k, _pz_v in ops: if _pz_k == 0: <replay 0> elif ...``."""
    chain: list[ast.stmt] = [ast.Pass()]
    for k in sorted(replays, reverse=True):
        chain = [ast.If(test=ast.Compare(left=_name("_pz_k"), ops=[ast.Eq()], comparators=[ast.Constant(k)]),
                        body=[replays[k]], orelse=chain)]
    return ast.For(target=ast.Tuple(elts=[_name("_pz_k", ast.Store()), _name("_pz_v", ast.Store())], ctx=ast.Store()),
                   iter=ops, body=chain, orelse=[])


def _deleted_names(targets: list[ast.expr]) -> list[str]:
    """Names a ``del`` unbinds: ``del y``, ``del y, z``, ``del (y, z)``, ``del [y]``."""
    names: list[str] = []
    for target in targets:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names.extend(_deleted_names(target.elts))
    return names


def _unbind(name: str) -> ast.stmt:
    """``try: del name`` / ``except NameError: pass``: the last iteration deleted it, as the serial loop would."""
    return ast.Try(body=[ast.Delete(targets=[_name(name, ast.Del())])],
                   handlers=[ast.ExceptHandler(type=_name("NameError"), name=None, body=[ast.Pass()])],
                   orelse=[], finalbody=[])


__all__ = ["LoopFacts", "Rewritten", "owner_class_name", "rewrite"]
