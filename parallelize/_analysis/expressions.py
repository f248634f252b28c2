"""What the expressions of a task region do, for :mod:`parallelize._analysis.effects`: names bound and read,
aliases of outer objects, stores into them, and calls (mutating methods, known in-place functions, bound methods
taken as values, helpers of this module, file writes, side-effect calls on outer objects).
"""

from __future__ import annotations

import ast
from dataclasses import replace

from parallelize._analysis.catalogue import (
    ALIAS_METHODS,
    ARGUMENT_WRITERS,
    FILE_DUMPERS,
    FIRST_ARG_WRITERS,
    INTO_METHODS,
    MUTATING_METHODS,
    PROCESS_STATE_CALLS,
    PROCESS_STATE_ROOTS,
    PURE_BUILTINS,
    WRITE_METHODS,
    is_outward,
)
from parallelize._analysis.facts import Effect, Owner
from parallelize._analysis.globalstate import CONVENTIONAL_ALIASES, figure_method
from parallelize._analysis.region import (
    Region,
    is_dynamic_namespace,
    is_true,
    locally_bound,
    snippet,
    touches_process_state,
)
from parallelize._analysis.scopes import dotted_name, root_name
from parallelize._analysis.sharing import is_queue_get
from parallelize._analysis.soundness import check_call, drawing_call

#: What an element (or a part of one) of an iterable holds: the outer object it may be, ``None`` when fresh (or
#: unknown), ``False`` when known to be fresh, or a tuple of shapes, one per position (``zip``, ``enumerate``).
Shape = Owner | None | bool | tuple["Shape", ...]

#: Builtins whose elements are the elements of their first argument (``sorted(models)``).
_ELEMENT_KEEPING_CALLS = frozenset({"reversed", "sorted", "list", "tuple", "iter", "set", "frozenset"})
#: Methods whose result's elements are the receiver's own elements (``axs.ravel()`` of an array of Axes,
#: ``d.values()``); ``items()`` keeps the conservative whole-element view (key and value both parts of ``d``).
_ELEMENT_KEEPING_METHODS = frozenset({"items", "values", "ravel", "flatten", "reshape", "transpose", "squeeze"})


def _collapse(shape: Shape) -> Owner | None:
    """The first outer object anywhere in ``shape`` (a target bound to the whole element may hold any part)."""
    if isinstance(shape, tuple):
        for part in shape:
            found = _collapse(part)
            if found is not None:
                return found
        return None
    return shape if isinstance(shape, Owner) else None


def _merge(left: Shape, right: Shape) -> Shape:
    """The shape of an element that is either ``left``'s or ``right``'s (two elements of one display)."""
    if left is None or left is False:
        return right if right is not None else left
    if right is None or right is False:
        return left
    if isinstance(left, tuple) and isinstance(right, tuple) and len(left) == len(right):
        return tuple(_merge(a, b) for a, b in zip(left, right, strict=True))
    return _collapse(left) or _collapse(right)


#: Modules whose attributes are process-wide settings when assigned (``warnings.showwarning = f``), matched by the
#: name as imported plainly (``import warnings``); other imports are recognised by their alias.
_MODULES = frozenset({"warnings", "sys", "os", "logging", "random", "numpy", "pandas", "matplotlib", "sklearn",
                      "torch", "socket", "locale", "decimal", "threading"})


class ExpressionEffects:
    """The walk's state and what expressions do: names bound and read, stores, calls (mutating methods, known
    writers, helpers, files). :class:`~parallelize._analysis.effects.EffectWalker` adds the statements."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.effects: list[Effect] = []
        self.shared_reads: set[str] = set()
        self.assigned: set[str] = set(region.initial)
        self.alias: dict[str, Owner | None] = dict(region.initial)
        self.loop_depth = 0
        self.lock_depth = 0
        self._seen: set[tuple[int, str]] = set()
        self.cache_guards: set[str] = set()  # globals being filled under ``if NAME is None:`` (PAR902)
        self._read_modify_write = False  # inside ``x[k] += v`` or ``del x[k]``: never a disjoint write
        self._statement_call: int | None = None  # id of the call an expression statement consists of
        self._discarded_call: int | None = None  # id of the call in `_ = call(...)` (declared: called for its result)

    # ----------------------------------------------------------------------------------------------- helpers
    def emit(self, kind: str, node: ast.AST, owner: Owner | None = None, **args: str) -> None:
        """Record an effect once per node and kind."""
        key = (id(node), kind)
        if key in self._seen:
            return
        self._seen.add(key)
        if owner is not None:
            args.setdefault("bound", owner.describe())
            args.setdefault("name", owner.via or owner.name)
        self.effects.append(Effect(kind, node, args, owner, self.lock_depth > 0))

    def quiet(self, node: ast.AST) -> None:
        """Do not also report the root name of an already reported write as a loop-carried read."""
        root = root_name(node)
        if root is not None:
            self._seen.update({(id(root), "accumulator-read"), (id(root), "carried-read")})

    def owner(self, name: str) -> Owner | None:
        """Return the outer object ``name`` stands for at this point, or ``None`` if it is fresh or unknown."""
        if name in self.region.bound or name in self.alias:
            if name in self.alias:
                return self.alias[name]
            return None  # a private name not bound yet in this iteration: reported as a loop-carried read
        return self.region.resolve(name)

    def owner_of(self, node: ast.AST) -> Owner | None:
        """Return the outer owner of the object ``node`` (``a.b[c]``) evaluates into, if any."""
        root = root_name(node)
        if root is None:
            return None
        owner = self.owner(root.id)
        if owner is None or owner.sync:
            return None
        return owner

    def alias_of(self, value: ast.expr | None, target: str) -> Owner | None:
        """Return the outer object a new binding of ``target`` to ``value`` aliases, or ``None`` if fresh."""
        if value is None:
            return None
        if isinstance(value, (ast.IfExp, ast.BoolOp)):
            parts = [value.body, value.orelse] if isinstance(value, ast.IfExp) else value.values
            for part in parts:
                found = self.alias_of(part, target)
                if found is not None:
                    return found
            return None
        if isinstance(value, ast.NamedExpr):
            return self.alias_of(value.value, target)
        if isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Attribute) and func.attr in ALIAS_METHODS and not is_queue_get(func):
                return self.alias_of(func.value, target)
            return None
        if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)):
            owner = self.owner_of(value)
            if owner is not None:
                return replace(owner, via=target)
        return None

    def item_alias(self, iterable: ast.expr, target: str) -> Owner | None:
        """Return the outer collection whose elements a ``for`` target binds (``for row in rows``)."""
        return self._item_owner(_collapse(self.element_shape(iterable)), target)

    @staticmethod
    def _item_owner(owner: Owner | None, target: str) -> Owner | None:
        return None if owner is None else Owner(owner.name, owner.line, "item", via=target)

    def element_shape(self, iterable: ast.expr) -> Shape:
        """What one element of ``iterable`` holds: the outer object it may be (or a part of), ``None`` when
        fresh, or a tuple of shapes, one per position, for ``zip``, ``enumerate`` and displays of tuples.

        Every argument of ``zip`` and every element of a tuple, list or set display counts alike:
        ``zip(axs.ravel(), names)``, ``enumerate(axs.flat)``, ``(ax1, ax2)`` and ``[("a", ax1), ("b", ax2)]``
        all bind a target to an outer object."""
        node: ast.expr = iterable
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "zip":
                return tuple(self.element_shape(a.value if isinstance(a, ast.Starred) else a) for a in node.args)
            if isinstance(func, ast.Name) and func.id == "enumerate" and node.args:
                return (None, self.element_shape(node.args[0]))
            if isinstance(func, ast.Name) and func.id in _ELEMENT_KEEPING_CALLS and node.args:
                return self.element_shape(node.args[0])
            if isinstance(func, ast.Attribute) and func.attr in _ELEMENT_KEEPING_METHODS:
                return self.element_shape(func.value)
            return None
        if isinstance(node, ast.Attribute) and node.attr in {"flat", "T"}:
            return self.element_shape(node.value)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            shape: Shape = None
            for elt in node.elts:
                part = self.element_shape(elt.value) if isinstance(elt, ast.Starred) else self.value_shape(elt)
                shape = _merge(shape, part)
            return shape
        if isinstance(node, ast.Dict):  # its keys, or (through `.items()`/`.values()`) its values
            found: Shape = None
            for entry in (*node.keys, *node.values):
                if entry is not None:
                    found = _merge(found, self.value_shape(entry))
            return found
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            return self.owner_of(node)
        return None

    def value_shape(self, value: ast.expr) -> Shape:
        """What the value ``value`` holds: an outer object, a tuple of shapes (a tuple display), or ``None``."""
        if isinstance(value, (ast.Tuple, ast.List)) and not any(isinstance(e, ast.Starred) for e in value.elts):
            return tuple(self.value_shape(e) for e in value.elts)
        return self.alias_of(value, "")

    def bind(self, target: ast.AST, value: ast.expr | None, *, item_of: ast.expr | None = None,
             shape: Shape = None) -> None:
        """Bind an assignment target; mutations through attribute or subscript targets are effects.

        ``item_of`` is the iterable of a ``for`` whose elements the target binds; ``shape`` is what a part of
        such an element holds (the outer object of each position, see :meth:`element_shape`)."""
        if item_of is not None and isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            shape, item_of = self.element_shape(item_of), None
            if shape is None:
                shape = False  # an element of nothing outer: bind the names as fresh
        if isinstance(target, ast.Name):
            if target.id in self.region.declared:
                owner = self.region.resolve(target.id)
                if target.id in self.cache_guards:
                    self.emit("per-worker-cache", target, owner, stmt=snippet(target), name=target.id,
                              bound=owner.describe() if owner else f"`{target.id}` (declared global)")
                    return
                self.emit("global-write", target, owner, stmt=snippet(target), name=target.id,
                          bound=owner.describe() if owner else f"`{target.id}` (declared global)")
                return
            self.assigned.add(target.id)
            if item_of is not None:
                self.alias[target.id] = self.item_alias(item_of, target.id)
            elif shape is not None:
                self.alias[target.id] = self._item_owner(_collapse(shape), target.id)
            else:
                self.alias[target.id] = self.alias_of(value, target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values: list[ast.expr | None] = [None] * len(target.elts)
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                values = list(value.elts)
            elif value is not None:
                values = [value] * len(target.elts)
            parts: list[Shape] = [shape] * len(target.elts)
            if isinstance(shape, tuple):
                if len(shape) == len(target.elts) and not any(isinstance(e, ast.Starred) for e in target.elts):
                    parts = list(shape)
                else:
                    parts = [_collapse(shape)] * len(target.elts)
            for elt, sub, part in zip(target.elts, values, parts, strict=False):
                self.bind(elt, sub, item_of=item_of, shape=part)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, None, item_of=item_of, shape=_collapse(shape))
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            self.store(target, target)
            self.scan(target.value)
            if isinstance(target, ast.Subscript):
                self.scan(target.slice)

    def _module_attribute(self, target: ast.Attribute) -> bool:
        """``target`` is an attribute of an imported module (``warnings.showwarning``), not of an object."""
        root = root_name(target)
        if root is None or self.owner(root.id) is not None:
            return False
        return root.id in CONVENTIONAL_ALIASES or self.region.qualify(root.id) != root.id or root.id in _MODULES

    def _own_slot(self, index: ast.expr) -> bool:
        """Return whether ``index`` is the task's own argument or the loop's own target, never rebound."""
        if (self._read_modify_write or not isinstance(index, ast.Name)
                or index.id not in self.region.own_indices):
            return False
        if self.region.loop_mode:
            return True
        return self.alias.get(index.id, None) is self.region.initial.get(index.id)

    def store(self, target: ast.Attribute | ast.Subscript, stmt: ast.AST) -> None:
        """Report a write into ``target`` when it reaches an outer object."""
        text = snippet(target)
        if is_dynamic_namespace(target.value):
            self.emit("dynamic", stmt, stmt=text, what="a namespace returned by globals()/vars()/locals()")
            return
        if touches_process_state(target):
            self.emit("process-state", stmt, stmt=text, name=dotted_name(target.value) or text)
        owner = self.owner_of(target)
        if owner is None:
            if isinstance(target, ast.Attribute) and self._module_attribute(target):
                # `warnings.showwarning = show`, `np.some_option = v`: a module's state, shared by the process
                self.emit("process-wide", stmt, stmt=text, name=dotted_name(target) or text)
            return
        kind = "attribute-store" if isinstance(target, ast.Attribute) else "subscript-store"
        if kind == "subscript-store" and self._own_slot(target.slice):  # type: ignore[union-attr]
            self.emit(kind, stmt, owner, stmt=text, slot="own")
        else:
            self.emit(kind, stmt, owner, stmt=text)
        self.quiet(target)

    # ----------------------------------------------------------------------------------------- expressions
    def scan(self, node: ast.AST | None) -> None:
        """Visit an expression: reads, calls, yields and ``:=`` bindings."""
        if node is None:
            return
        shadowed = locally_bound(node)
        callers: dict[int, ast.Call] = {}  # ast.walk yields a call before its function expression
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                if child.id not in shadowed:
                    self.read(child)
                    self.bound_method_alias(child, callers.get(id(child)))
            elif isinstance(child, ast.Call):
                callers[id(child.func)] = child
                self.call(child)
            elif isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Load) and id(child) not in callers:
                self.bound_method_value(child)
            elif isinstance(child, (ast.Yield, ast.YieldFrom, ast.Await)) and self.region.loop_mode:
                self.emit("yield", child, stmt=type(child).__name__.lower().replace("yieldfrom", "yield from"))
            elif isinstance(child, ast.NamedExpr):
                self.assigned.add(child.target.id)
                self.alias[child.target.id] = self.alias_of(child.value, child.target.id)

    def read(self, node: ast.Name) -> None:
        """Record a read; inside a loop, reads of accumulators and of not-yet-bound private names carry."""
        name = node.id
        region = self.region
        if region.loop_mode and name in region.accumulators:
            self.emit("accumulator-read", node, self.region.resolve(name), stmt=name)
        elif region.loop_mode and name in region.bound and name not in self.assigned:
            owner = region.resolve(name)
            self.emit("carried-read", node, owner, stmt=name, name=name,
                      bound=owner.describe() if owner else f"`{name}` (bound later in the loop body)")
        elif name not in region.bound and name not in self.alias:
            self.shared_reads.add(name)

    def bound_method_value(self, node: ast.Attribute) -> None:
        """Report a known mutating or writing method of an outer object taken as a value (``map(out.append, xs)``).

        Whoever calls it later mutates the object, out of the analysis' sight; so taking it counts as the call.
        """
        if node.attr not in MUTATING_METHODS and node.attr not in WRITE_METHODS:
            return
        owner = self.owner_of(node.value)
        if owner is None:
            return
        kind = "mutating-call" if node.attr in MUTATING_METHODS else "file-write"
        self.emit(kind, node, owner, stmt=snippet(node))
        self.quiet(node)

    def bound_method_alias(self, name: ast.Name, call: ast.Call | None) -> None:
        """Report a use of an outer name bound to a mutating method of an outer object (``add = out.append``)."""
        holder = self.owner(name.id)
        method = holder.value if holder is not None else None
        if not isinstance(method, ast.Attribute) or (
            method.attr not in MUTATING_METHODS and method.attr not in WRITE_METHODS
        ):
            return
        root = root_name(method.value)
        receiver = self.region.resolve(root.id) if root is not None else None
        if receiver is None or receiver.sync:
            return
        kind = "mutating-call" if method.attr in MUTATING_METHODS else "file-write"
        node: ast.AST = call if call is not None else name
        self.emit(kind, node, replace(receiver, via=name.id), stmt=snippet(node))

    def call(self, call: ast.Call) -> None:
        """Classify one call: mutating methods, writers, dynamic code, helpers with known effects."""
        func = call.func
        dotted = dotted_name(func)
        text = snippet(call)
        if dotted in PROCESS_STATE_CALLS or (any(dotted.startswith(p + ".") for p in PROCESS_STATE_ROOTS) and (
            isinstance(func, ast.Attribute) and func.attr in MUTATING_METHODS
        )):
            self.emit("process-state", call, stmt=text, name=dotted)
        for keyword in call.keywords:
            if keyword.arg == "out":
                self._written_by_call(keyword.value, call, text)
            elif keyword.arg == "inplace" and is_true(keyword.value) and isinstance(func, ast.Attribute):
                self._written_by_call(func.value, call, text)
            elif keyword.arg == "file" and dotted == "print":
                self._file_write(keyword.value, call, text)
        position = ARGUMENT_WRITERS.get(self.region.qualify(dotted)) if dotted else None
        if position is not None and len(call.args) > position:
            self._written_by_call(call.args[position], call, text)
        if isinstance(func, ast.Attribute):
            self._method_call(call, func, dotted, text)
        elif isinstance(func, ast.Name):
            self._function_call(call, func.id, text)
        self._helper_call(call, text)
        if id(call) == self._statement_call and isinstance(func, ast.Attribute):
            self._side_effect_call(call, func, text)
        if self.region.loop_mode:
            check_call(self, call, dotted, text)

    def _side_effect_call(self, call: ast.Call, func: ast.Attribute, text: str) -> None:
        """Report ``obj.method(...)`` as a statement on an outer object: called for its effect, likely a mutation.

        Known mutators, writers and same-module methods are left to their own rules; names of outward-only
        effects (``to_csv``, ``savefig``, logging) are not reported (catalogue ``OUTWARD_METHODS``).
        """
        if func.attr in MUTATING_METHODS or func.attr in WRITE_METHODS or is_outward(func.attr):
            return
        if self.region.loop_mode and (figure_method(func.attr) or drawing_call(self, call) is not None):
            return  # PAR601 (soundness.check_call) says it draws on the caller's figure
        if any((id(call), kind) in self._seen for kind in self.REPORTED_ON_CALLS) or self.region.visible(func):
            return
        owner = self.owner_of(func.value)
        if owner is not None:
            self.emit("method-call-statement", call, owner, stmt=text, method=func.attr,
                      how="is called for its side effect (its result is discarded)")

    #: Effects on a call that already say what it does (a call reported by one of them is not also PAR108).
    REPORTED_ON_CALLS = ("mutating-call", "file-write", "out-argument", "call-mutates", "process-state", "dynamic",
                         "helper-method-call")

    def _method_call(self, call: ast.Call, func: ast.Attribute, dotted: str, text: str) -> None:
        receiver = func.value
        if is_dynamic_namespace(receiver) and func.attr in MUTATING_METHODS:
            self.emit("dynamic", call, stmt=text, what="a namespace returned by globals()/vars()/locals()")
            return
        if func.attr in MUTATING_METHODS:
            owner = self.owner_of(receiver)
            if owner is not None and not (isinstance(receiver, ast.Name)
                                          and self.region.keeps_receiver(owner.value, func.attr)):
                self.emit("mutating-call", call, owner, stmt=text)
                self.quiet(receiver)
        elif func.attr in WRITE_METHODS:
            self._file_write(receiver, call, text)
        if (func.attr == "shuffle" and call.args) or (dotted.split(".", 1)[0] in {"np", "numpy"} and (
            func.attr in FIRST_ARG_WRITERS or func.attr == "at"
        ) and call.args):
            self._written_by_call(call.args[0], call, text)
        elif func.attr in FILE_DUMPERS and len(call.args) >= 2:
            self._file_write(call.args[1], call, text)
        elif func.attr in INTO_METHODS and call.args:
            self._written_by_call(call.args[0], call, text)

    def _function_call(self, call: ast.Call, name: str, text: str) -> None:
        if name in {"exec", "eval"}:
            self.emit("dynamic", call, stmt=text, what=f"`{name}` runs code the analysis cannot see")
        elif name in {"setattr", "delattr"} and call.args:
            attr = call.args[1] if len(call.args) > 1 else None
            owner = self.owner_of(call.args[0])
            if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
                if owner is not None:
                    self.emit("attribute-store", call, owner, stmt=text)
            elif owner is not None or root_name(call.args[0]) is None:
                self.emit("dynamic", call, stmt=text, what=f"`{name}` with a computed attribute name")
        elif name == "next" and call.args:
            owner = self.owner_of(call.args[0])
            if owner is not None:
                self.emit("mutating-call", call, owner, stmt=text)
        elif name == "open":
            self._open_call(call, text)
        elif name in {"copyto", "put", "place", "putmask", "fill_diagonal"} and call.args:
            self._written_by_call(call.args[0], call, text)

    def _open_call(self, call: ast.Call, text: str) -> None:
        mode = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "mode"), None
        )
        if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
            return
        if not set(mode.value) & set("wax+") or not call.args:
            return
        path = call.args[0]
        names = {n.id for n in ast.walk(path) if isinstance(n, ast.Name)}
        if names & (self.region.bound | set(self.alias)):
            return  # the path depends on the item: one file per task
        if isinstance(path, ast.Constant) or names:
            where = f"`{snippet(path)}`"
            self.emit("file-write", call, stmt=text, name=where, bound="the same path in every task")

    def _written_by_call(self, target: ast.expr, call: ast.Call, text: str) -> None:
        owner = self.owner_of(target)
        if owner is not None:
            self.emit("out-argument", call, owner, stmt=text)

    def _file_write(self, handle: ast.expr, call: ast.Call, text: str) -> None:
        owner = self.owner_of(handle)
        if owner is not None:
            self.emit("file-write", call, owner, stmt=text)

    def _helper_call(self, call: ast.Call, text: str) -> None:
        """Report calls of same-module functions that mutate an object the caller passes or closes over."""
        callees: list[tuple[ast.expr, list[ast.expr], dict[str, ast.expr]]] = [
            (call.func, list(call.args), {k.arg: k.value for k in call.keywords if k.arg})
        ]
        callees += [(arg, [], {}) for arg in call.args if isinstance(arg, ast.Name)]  # map(helper, xs)
        for func, args, kwargs in callees:
            summary = self.region.summaries(func)
            if summary is None:
                if self.region.strict and func is call.func:
                    self._strict(call, text)
                continue
            params = list(summary.params)
            passed = [func.value, *args] if isinstance(func, ast.Attribute) and params else args
            bound = dict(zip(params, passed, strict=False)) | {k: v for k, v in kwargs.items() if k in params}
            for name, line in summary.mutated.items():
                owner = self._passed_owner(name, bound, params)
                if owner is not None:
                    self.emit("call-mutates", call, owner, stmt=text, helper=summary.name, at=str(line))
            for name, (line, inner) in summary.likely.items():
                owner = self._passed_owner(name, bound, params)
                if owner is not None and (id(call), "call-mutates") not in self._seen:
                    self.emit("helper-method-call", call, owner, stmt=text, helper=summary.name, at=str(line),
                              how=f"lets `{summary.name}` call `{inner}` for its side effect (line {line})")

    def _passed_owner(self, name: str, bound: dict[str, ast.expr], params: list[str]) -> Owner | None:
        """Return the caller's outer object behind a callee's parameter or free name, if any."""
        owner = self.owner_of(bound[name]) if name in bound else None
        if owner is None and name not in params:
            owner = self.owner(name)
        return owner if owner is not None and not owner.sync else None

    def _strict(self, call: ast.Call, text: str) -> None:
        if isinstance(call.func, ast.Name) and call.func.id in PURE_BUILTINS:
            return
        for arg in (*call.args, *(k.value for k in call.keywords)):
            if isinstance(arg, ast.Name):
                owner = self.owner_of(arg)
                if owner is not None:
                    self.emit("unknown-call-arg", call, owner, stmt=text)
                    return

    # ------------------------------------------------------------------------------------------ statements
