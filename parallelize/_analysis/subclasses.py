"""Worker subclasses: ``class W(threading.Thread)`` and ``class P(multiprocessing.Process)``, whose ``run()`` is a task.

``start()`` runs ``run()`` in a new thread or process. Its writes to module globals and to objects it reaches
from outside are judged as in any task: lost under a process, raced between threads unless a lock guards them.
Writes to attributes of ``self`` depend on where the object lives:

* under a thread, ``self`` is that thread's own object: ``self.result = v`` read by the parent after ``join()``
  is correct. An attribute that holds an object the parent handed in (``self.out = out`` in ``__init__``) is
  shared by every thread built with it, so changing that object is a race;
* under a process, ``run()`` changes the child's copy of ``self``: the parent never sees it. That is reported
  when the parent could look: the attribute is read outside ``run()`` (``w.result`` after ``join()``, or a
  method of the class other than ``run`` and ``__init__``), or it holds an object the parent handed in.

An attribute bound to a queue, a manager proxy or shared memory (built in ``__init__`` or handed in at every
construction site of the class in the module) really shares, and is never reported.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from parallelize._analysis.context import FunctionNode, ModuleContext
from parallelize._analysis.facts import Effect
from parallelize._analysis.handover import shared_value_at
from parallelize._analysis.scopes import dotted_name, is_sync_value
from parallelize._analysis.sharing import is_shared_value

#: Base classes whose ``run()`` runs on a worker when ``start()`` is called → where it runs.
WORKER_BASES = {"Thread": "threads", "Process": "processes"}
#: Modules those bases come from (an unqualified ``Thread``, from a star import, also counts).
WORKER_MODULES = ("threading", "multiprocessing", "multiprocess", "torch.multiprocessing", "billiard")


def worker_runs(ctx: ModuleContext) -> list[tuple[FunctionNode, str, Callable[[Effect], bool]]]:
    """Return ``(run method, mode, keep)`` for each worker subclass in the module; ``keep`` tells which effects
    of ``run()`` are findings (see the module docstring)."""
    classes = {c.name: c for c in sorted(ctx.classes, key=lambda c: c.lineno)}
    found = []
    for cls in classes.values():
        mode = _mode_of(ctx, cls, classes, 0)
        run = _method(ctx, cls, classes, "run") if mode else None
        if mode and run is not None and (run.args.posonlyargs or run.args.args):
            found.append((run, mode, _keep(ctx, cls, run, mode)))
    return found


def _mode_of(ctx: ModuleContext, cls: ast.ClassDef, classes: dict[str, ast.ClassDef], depth: int) -> str | None:
    for base in cls.bases:
        name = ctx.qualify(dotted_name(base))
        module, _, last = name.rpartition(".")
        if last in WORKER_BASES and (not module or module.startswith(WORKER_MODULES)):
            return WORKER_BASES[last]
        parent = classes.get(name)
        if parent is not None and parent is not cls and depth < 8:
            mode = _mode_of(ctx, parent, classes, depth + 1)
            if mode:
                return mode
    return None


def _method(ctx: ModuleContext, cls: ast.ClassDef, classes: dict[str, ast.ClassDef], name: str) -> FunctionNode | None:
    """Return ``cls``'s method ``name``, or the one it inherits from a class of this module."""
    seen: set[int] = set()
    pending = [cls]
    while pending:
        node = pending.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        found = ctx.defs_in(node).get(name)
        if found is not None:
            return found
        pending += [classes[b.id] for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
    return None


def _keep(ctx: ModuleContext, cls: ast.ClassDef, run: FunctionNode, mode: str) -> Callable[[Effect], bool]:
    me = (*run.args.posonlyargs, *run.args.args)[0].arg
    shared, handed_in = _attributes(ctx, cls)
    methods = set(ctx.defs_in(cls))
    read_by_parent = _read_by_parent(ctx, cls, run) if mode == "processes" else set()

    def keep(effect: Effect) -> bool:
        owner = effect.owner
        if owner is None or owner.name != me or owner.kind != "parameter":
            return True
        attr = first_attribute(effect.node, me)
        if attr is None or attr in handed_in:
            return True
        if attr in shared:
            return False
        if attr in methods:  # `self.helper()` that changes `self`: seen by the parent only if it reads `self`
            return bool(read_by_parent)
        return attr in read_by_parent

    return keep


def first_attribute(node: ast.AST, me: str) -> str | None:
    """Return ``attr`` of the first ``me.attr`` in ``node`` (breadth first: the written target comes first)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name) and child.value.id == me:
            return child.attr
    return None


def shared_attributes(ctx: ModuleContext, cls: ast.ClassDef) -> set[str]:
    """Return the attributes of ``self`` that ``cls``'s methods bind to objects shared between workers (a
    manager proxy built in ``__init__``, a queue handed in at every construction site)."""
    return _attributes(ctx, cls)[0]


def _attributes(ctx: ModuleContext, cls: ast.ClassDef) -> tuple[set[str], set[str]]:
    """Return the attributes the class's other methods bind to shared objects, and to objects handed in."""
    shared: set[str] = set()
    handed_in: set[str] = set()
    for method in ctx.defs_in(cls).values():
        positional = [a.arg for a in (*method.args.posonlyargs, *method.args.args)]
        if method.name == "run" or not positional:
            continue
        me, params = positional[0], {a.arg for a in (*method.args.args, *method.args.kwonlyargs)} - {positional[0]}
        for stmt in ast.walk(method):
            if not isinstance(stmt, ast.Assign):
                continue
            for target in stmt.targets:
                if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == me):
                    continue
                value = stmt.value
                if is_shared_value(value) or is_sync_value(value):
                    shared.add(target.attr)
                elif isinstance(value, ast.Name) and value.id in params:
                    if method.name == "__init__" and _always_shared(ctx, cls, positional[1:], value.id):
                        shared.add(target.attr)
                    else:
                        handed_in.add(target.attr)
                elif isinstance(value, ast.Name) and ctx.resolve_outside(value.id, method) is not None:
                    owner = ctx.resolve_outside(value.id, method)
                    (shared if owner is not None and owner.sync else handed_in).add(target.attr)
    return shared, handed_in - shared


def _always_shared(ctx: ModuleContext, cls: ast.ClassDef, positional: list[str], param: str) -> bool:
    """Return whether every ``cls(...)`` call in the module passes a shared object (a queue...) for ``param``."""
    sites = 0
    for call, scope in ctx.calls:
        if not (isinstance(call.func, ast.Name) and call.func.id == cls.name):
            continue
        sites += 1
        given = dict(zip(positional, call.args, strict=False)) | {k.arg: k.value for k in call.keywords if k.arg}
        value = given.get(param)
        if shared_value_at(ctx, value, scope, call.lineno) is None:
            return False
    return sites > 0


def _read_by_parent(ctx: ModuleContext, cls: ast.ClassDef, run: FunctionNode) -> set[str]:
    """Return the attribute names read outside ``run()``: ``w.attr`` on any name but ``self``/``cls``, and
    ``self.attr`` in the class's methods other than ``run``, ``__init__`` and those ``run`` calls."""
    from_run = {n.func.attr for n in ast.walk(run) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"}
    inside = {id(n) for m in ctx.defs_in(cls).values() if m.name in {"run", "__init__"} | from_run
              for n in ast.walk(m)}
    names: set[str] = set()
    for node in ast.walk(ctx.tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)) or id(node) in inside:
            continue
        if node.value.id not in {"self", "cls"} or _within(ctx, node, cls):
            names.add(node.attr)
    return names


def _within(ctx: ModuleContext, node: ast.AST, cls: ast.ClassDef) -> bool:
    """Return whether ``node`` lies in the body of ``cls`` (by line range)."""
    line = getattr(node, "lineno", 0)
    return cls.lineno <= line <= (cls.end_lineno or cls.lineno)
