"""Loop patterns that look like shared state but can be proved safe, and what the rewriter must do for them.

Each proof is syntactic and conservative: a loop that does not match every condition keeps the finding the
effects walk gives it (PAR102, PAR302).

* **Tail appends** (:func:`tail_appends`): ``res.append([])`` then ``res[-1].append(v)``. ``res`` is a list built
  in the function before the loop; every iteration first appends a fresh container to it (unconditionally, as a
  statement of the loop body itself), so ``res[-1]`` is always the iteration's own element. The worker fills
  that element; the caller replays the appends in iteration order.
* **Own slices** (:func:`own_slices`): ``for j in range(...)``: ``X[:, j] = f(X[:, j])``. The loop variable takes
  distinct non-negative values; every subscript of ``X`` in the body has it at the same position, so each
  iteration reads and writes only its own column (or row, or key). The write is collected and assigned in the
  caller after every iteration has run.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from parallelize._analysis.collectors import Form, statements
from parallelize._analysis.facts import Owner
from parallelize._analysis.scopes import NESTED_SCOPES, target_names

#: Receivers of ``res[-1].<method>(e)`` that add to the iteration's own element.
TAIL_METHODS = frozenset({"append", "extend"})
#: Constructors of a fresh, empty or new container (an element no other iteration holds).
_FRESH_CALLS = frozenset({"list", "dict", "set"})
#: Attributes of an array that assigning one of its columns cannot change.
_SHAPE_ATTRS = frozenset({"shape", "ndim", "dtype", "size"})
#: Methods whose result is a new value, not a view of the receiver.
_FRESH_METHODS = frozenset({"mean", "std", "var", "sum", "prod", "min", "max", "argmin", "argmax", "any", "all",
                            "copy", "tolist", "median", "item"})
#: Functions whose result is a new value computed from the argument (never a view of it).
_FRESH_FUNCTIONS = frozenset({"len", "sum", "min", "max", "float", "int", "abs", "sorted", "list", "tuple", "set",
                              "frozenset", "dict", "str", "bool", "any", "all",
                              "np.mean", "np.std", "np.var", "np.sum", "np.median", "np.nanmean", "np.nanstd",
                              "np.nanmedian", "np.min", "np.max", "np.abs", "np.sqrt", "np.exp", "np.log",
                              "np.percentile", "np.quantile", "np.linalg.norm", "numpy.mean", "numpy.std"})
#: Expressions that run later than where they are written (their reads may see the iteration's own write).
_DEFERRED = (*NESTED_SCOPES, ast.Lambda, ast.GeneratorExp)


def tail_appends(loop: ast.For, scope: ast.AST, accepted: dict[str, list[Form]],
                 resolve: Callable[[str], Owner | None]) -> dict[int, Form]:
    """Return the proved ``res[-1].append(e)`` statements of ``loop`` (``id(stmt)`` → form, kind ``"tail"``)."""
    tails: dict[int, Form] = {}
    for stmt in statements(loop.body):
        name = _tail_receiver(stmt)
        if name is not None and name in accepted:
            assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            tails[id(stmt)] = Form(name, "tail", "", tuple(stmt.value.args), stmt)
    proved: dict[int, Form] = {}
    for name in {f.name for f in tails.values()}:
        mine = [f for f in tails.values() if f.name == name]
        if _tail_proved(loop, scope, name, accepted[name], mine, resolve):
            proved.update({id(f.stmt): f for f in mine})
    return proved


def _tail_receiver(stmt: ast.stmt) -> str | None:
    """``res`` for a statement ``res[-1].append(e)`` / ``res[-1].extend(e)`` (one positional argument)."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return None
    call = stmt.value
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in TAIL_METHODS and len(call.args) == 1
            and not call.keywords and not isinstance(call.args[0], ast.Starred)):
        return None
    sub = func.value
    if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and _is_minus_one(sub.slice):
        return sub.value.id
    return None


def _is_minus_one(node: ast.expr) -> bool:
    return (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) is int and node.operand.value == 1)


def _tail_proved(loop: ast.For, scope: ast.AST, name: str, forms: list[Form], tails: list[Form],
                 resolve: Callable[[str], Owner | None]) -> bool:
    # 1. Only appends of fresh containers go into `res` in the body (so `res[-1]` is never an outer object).
    if not forms or any(f.kind != "append" or not _fresh(f.values[0], resolve) for f in forms):
        return False
    # 2. `res` is a list the function built before the loop, and no other name holds it.
    if not _list_built_before(scope, loop, name, resolve):
        return False
    # 3. The first statement of the body that mentions `res` is an unconditional `res.append(fresh)`, and every
    #    tail comes in a later statement of the body: `res[-1]` is always this iteration's element.
    first = next((i for i, s in enumerate(loop.body) if _mentions(s, name)), None)
    if first is None or not any(f.stmt is loop.body[first] for f in forms):
        return False
    later = loop.body[first + 1:]
    return all(any(_contains(s, t.stmt) for s in later) for t in tails)


def _fresh(value: ast.expr, resolve: Callable[[str], Owner | None]) -> bool:
    """A new container: a display, a comprehension, or ``list()`` / ``dict()`` / ``set()`` of the builtins."""
    if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _FRESH_CALLS
            and resolve(value.func.id) is None)


def _list_built_before(scope: ast.AST, loop: ast.For, name: str, resolve: Callable[[str], Owner | None]) -> bool:
    """``name`` is bound only by ``name = [...]`` / ``list(...)`` before the loop and never read as a plain value
    (an alias, an argument) anywhere in the function: then it is a list no other name reaches."""
    owner = resolve(name)
    if owner is None or owner.kind != "before-loop":
        return False
    body = getattr(scope, "body", [])
    built = False
    for stmt in statements(body):
        if stmt is loop or not isinstance(stmt, ast.Assign) or not any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            continue
        if stmt.lineno > loop.lineno or len(stmt.targets) != 1:
            return False
        value = stmt.value
        if not (isinstance(value, (ast.List, ast.ListComp)) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "list"
            and resolve("list") is None
        )):
            return False
        built = True
    return built and not _escapes(body, name, loop)


def _escapes(body: list[ast.stmt], name: str, loop: ast.For) -> bool:
    """Whether ``name`` is read other than as ``name.attr`` or ``name[...]``, or rebound other than by ``=``."""
    parents: dict[int, ast.AST] = {}
    for stmt in body:
        for node in ast.walk(stmt):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
            if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return True
    end = loop.end_lineno or loop.lineno
    for stmt in body:
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Name) and node.id == name) or node.lineno > end:
                continue  # after the loop, the list is the caller's alone again
            parent = parents.get(id(node))
            if isinstance(node.ctx, ast.Load):
                if not (isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is node):
                    return True
            elif not (isinstance(parent, ast.Assign) and node in parent.targets):
                return True  # `for res in ...`, `res += ...`, `with ... as res`, `del res`
    return False


def _mentions(stmt: ast.stmt, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt))


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    return any(n is inner for n in ast.walk(outer))


# ---------------------------------------------------------------------------------------------------- own slices
def own_slices(loop: ast.For, scope: ast.AST, accepted: dict[str, list[Form]], rebound: set[str],
               resolve: Callable[[str], Owner | None]) -> tuple[set[str], set[int]]:
    """Return the names whose ``X[.., j, ..] = e`` collector only reads its own slice, and the ids of the ``X``
    name nodes those proved reads are (in the body and in the ``range(...)`` call)."""
    counter = _range_counter(loop, resolve)
    if counter is None or counter in rebound:
        return set(), set()
    names: set[str] = set()
    reads: set[int] = set()
    for name, forms in accepted.items():
        if len(forms) != 1 or forms[0].kind != "setitem" or not any(forms[0].stmt is s for s in loop.body):
            continue
        proved = _slice_reads(loop, scope, name, forms[0], counter)
        if proved is not None:
            names.add(name)
            reads |= proved
    return names, reads


def _range_counter(loop: ast.For, resolve: Callable[[str], Owner | None]) -> str | None:
    """``j`` in ``for j in range(n)`` (or ``range(a, n[, s])`` with constants ``a >= 0``, ``s > 0``): distinct,
    non-negative values, so no two iterations index the same position (negative ones could alias the end)."""
    call = loop.iter
    if not (isinstance(loop.target, ast.Name) and isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == "range" and resolve("range") is None and not call.keywords
            and 1 <= len(call.args) <= 3 and not any(isinstance(a, ast.Starred) for a in call.args)):
        return None
    if len(call.args) >= 2 and not _int_constant(call.args[0], minimum=0):
        return None
    if len(call.args) == 3 and not _int_constant(call.args[2], minimum=1):
        return None
    return loop.target.id


def _int_constant(node: ast.expr, minimum: int) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value >= minimum


def _axis(key: ast.expr, counter: str) -> int | None:
    """The position of ``counter`` in a subscript key whose other parts are constants or constant slices."""
    parts = key.elts if isinstance(key, ast.Tuple) else [key]
    found = [i for i, p in enumerate(parts) if isinstance(p, ast.Name) and p.id == counter]
    if len(found) != 1:
        return None
    others = [p for i, p in enumerate(parts) if i != found[0]]
    return found[0] if all(_simple_part(p) for p in others) else None


def _simple_part(part: ast.expr) -> bool:
    if isinstance(part, ast.Slice):
        return all(b is None or _int_constant(b, minimum=0) for b in (part.lower, part.upper, part.step))
    return _int_constant(part, minimum=0)  # no Ellipsis, no None (newaxis): they would move the counter's axis


def _slice_reads(loop: ast.For, scope: ast.AST, name: str, form: Form, counter: str) -> set[int] | None:
    stmt = form.stmt
    assert isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)
    target = stmt.targets[0]
    axis = _axis(target.slice, counter)
    if axis is None or not _not_aliased_before(scope, loop, name):
        return None
    index = next(i for i, s in enumerate(loop.body) if s is stmt)
    parents: dict[int, ast.AST] = {}
    deferred: set[int] = set()
    for node in ast.walk(loop):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            if isinstance(node, _DEFERRED) or id(node) in deferred:
                deferred.add(id(child))
    reads = {id(n) for n in ast.walk(loop.iter) if isinstance(n, ast.Name) and n.id == name}
    for position, body_stmt in enumerate(loop.body):
        for node in ast.walk(body_stmt):
            if not (isinstance(node, ast.Name) and node.id == name) or node is target.value:
                continue
            if position > index or (position == index and not _contains(stmt.value, node)):
                return None  # read after the write: the worker would not see its own write
            parent = parents.get(id(node))
            if (id(node) in deferred or not isinstance(parent, ast.Subscript) or parent.value is not node
                    or not isinstance(parent.ctx, ast.Load) or _axis(parent.slice, counter) != axis
                    or not _consumed(parent, parents, stmt)):
                return None
            reads.add(id(node))
    return reads


def _consumed(sub: ast.Subscript, parents: dict[int, ast.AST], write: ast.Assign) -> bool:
    """The slice is used up where it is read (an operand, a reduction), never kept as a view of the array."""
    parent = parents.get(id(sub))
    if parent is write:
        return True  # `X[:, j] = X[:, j]`
    if isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.Compare)):
        return True
    if isinstance(parent, ast.Attribute) and parent.attr in _FRESH_METHODS:
        call = parents.get(id(parent))
        return isinstance(call, ast.Call) and call.func is parent
    if isinstance(parent, ast.Call) and sub in parent.args:
        func = parent.func
        dotted = func.id if isinstance(func, ast.Name) else (
            f"{func.value.id}.{func.attr}" if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            else "")
        return dotted in _FRESH_FUNCTIONS
    return False


def own_elements(scope: ast.AST, loop: ast.For, name: str, resolve: Callable[[str], Owner | None],
                 qualify: Callable[[str], str]) -> bool:
    """Whether a store into an element of ``name`` (``acc[k][j] = e``) changes nothing another name reads.

    ``name`` is bound in the scope, only before the loop, to a new container whose elements are new containers
    too (``defaultdict(dict)``, ``{m: {} for m in models}``, ``{"a": [], "b": []}``, ``[[0] * n for _ in rows]``),
    and before the loop it is only stored into (``acc[k] = v``, ``acc[k][j] = v``), asked its length, or rebound:
    no other name holds it or one of its elements.
    """
    owner = resolve(name)
    if owner is None or owner.kind != "before-loop":
        return False
    body = getattr(scope, "body", [])
    end = loop.end_lineno or loop.lineno
    # A binding after the loop is another object, unless a loop around this one comes back with it.
    enclosed = any(isinstance(s, (ast.For, ast.AsyncFor, ast.While)) and s is not loop and _contains(s, loop)
                   for s in statements(body))
    built = False
    for stmt in statements(body):
        if stmt is loop or name not in _binds(stmt):
            continue
        if stmt.lineno > end and not enclosed:
            continue
        if (stmt.lineno > loop.lineno or not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1
                or not isinstance(stmt.targets[0], ast.Name) or not _fresh_of_fresh(stmt.value, resolve, qualify)):
            return False
        built = True
    return built and _not_aliased_before(scope, loop, name, stores=True, resolve=resolve)


def _binds(stmt: ast.stmt) -> set[str]:
    """Names ``stmt`` itself binds (not the blocks it holds): targets, ``for``/``with`` names, defs, imports."""
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    elif isinstance(stmt, ast.Delete):
        targets = list(stmt.targets)
    names = {n for t in targets for n in target_names(t)}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(stmt.name)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        names |= {(a.asname or a.name).partition(".")[0] for a in stmt.names}
    exprs = [n for n in ast.iter_child_nodes(stmt) if isinstance(n, ast.expr)]
    names |= {n.target.id for e in exprs for n in ast.walk(e)
              if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}
    return names


def _fresh_of_fresh(value: ast.expr, resolve: Callable[[str], Owner | None], qualify: Callable[[str], str]) -> bool:
    """A new container whose elements (if any) are new containers: see :func:`own_elements`."""
    def element(e: ast.expr) -> bool:
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult) and isinstance(e.left, ast.List):
            return all(isinstance(x, ast.Constant) for x in e.left.elts)  # ``[0] * n``: a new list of constants
        return _fresh(e, resolve)

    if isinstance(value, ast.Dict):
        return all(k is not None for k in value.keys) and all(element(v) for v in value.values)
    if isinstance(value, ast.List):
        return all(element(e) for e in value.elts)
    if isinstance(value, ast.DictComp):
        return element(value.value)
    if isinstance(value, ast.ListComp):
        return element(value.elt)
    if not (isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute))):
        return False
    if isinstance(value.func, ast.Name) and value.func.id in {"dict", "list"} and resolve(value.func.id) is None:
        return not value.args and not value.keywords
    dotted = ast.unparse(value.func)
    if qualify(dotted) != "collections.defaultdict" or len(value.args) != 1 or value.keywords:
        return False
    factory = value.args[0]
    if isinstance(factory, ast.Lambda):
        return not factory.args.args and element(factory.body)
    return isinstance(factory, ast.Name) and factory.id in {"dict", "list", "set"} and resolve(factory.id) is None


def _not_aliased_before(scope: ast.AST, loop: ast.For, name: str, stores: bool = False,
                        resolve: Callable[[str], Owner | None] = lambda _name: None) -> bool:
    """Before the loop, ``name`` is only asked its shape (``X.shape``, ``len(X)``) or rebound: no other name of
    the function (nor a closure) holds the array or a view of it. With ``stores``, stores into it count too
    (``acc[k] = []`` with a new container, judged with ``resolve``; ``acc[k][j] = v``)."""
    body = getattr(scope, "body", [])
    for stmt in body:
        nodes = list(ast.walk(stmt))
        if not any((isinstance(n, ast.Name) and n.id == name) or isinstance(n, (ast.Global, ast.Nonlocal))
                   for n in nodes):
            continue  # nothing here reads the name
        parents = {id(child): node for node in nodes for child in ast.iter_child_nodes(node)}
        # A nested function with its own local of that name reads that local, not this object.
        shadowed = {id(n) for fn in nodes if _own_local(fn, name) for n in ast.walk(fn)}
        for node in nodes:
            if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return False
            if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
                    and node.lineno < loop.lineno) or id(node) in shadowed:
                continue
            parent = parents.get(id(node))
            if isinstance(parent, ast.Attribute) and parent.attr in _SHAPE_ATTRS:
                continue
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "len":
                continue
            if stores and _store_target(node, parents, lambda value: _fresh(value, resolve)):
                continue
            return False
    return True


def _own_local(fn: ast.AST, name: str) -> bool:
    """``fn`` is a function whose parameters or assignments make ``name`` a local of its own."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return False
    args = fn.args
    if name in {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}:
        return True
    nodes = list(ast.walk(fn))
    if any(isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names for n in nodes):
        return False
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for n in nodes)


def _store_target(node: ast.Name, parents: dict[int, ast.AST], fresh: Callable[[ast.expr], bool]) -> bool:
    """``node`` is the root of an assignment's target ``node[k] = v`` (``v`` a new container: ``fresh(v)``; an
    outer object stored there would be changed by the loop's stores into the element) or ``node[k][j] = v``."""
    sub = parents.get(id(node))
    if not (isinstance(sub, ast.Subscript) and sub.value is node):
        return False
    if isinstance(sub.ctx, ast.Store):
        stmt = parents.get(id(sub))
        return isinstance(stmt, ast.Assign) and stmt.targets == [sub] and fresh(stmt.value)
    outer = parents.get(id(sub))
    return isinstance(outer, ast.Subscript) and outer.value is sub and isinstance(outer.ctx, ast.Store)
