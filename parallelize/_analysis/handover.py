"""What the sites that hand a task over pass to its parameters, and which of those objects really share.

A manager proxy, a queue, ``Value``/``Array`` or a lock handed to a task through its arguments is as shared as
one the task reads from the module: ``Process(target=work, args=(shared, i))`` with ``shared = manager.list()``,
``executor.submit(count, chunk, counter, lock)``, ``partial(job, queue)``, mpire's
``WorkerPool(shared_objects=proxy)``. A parameter that receives such an object at *every* site that hands the
function over is treated like a shared outer object (its writes are not lost copies; a read-modify-write on a
manager proxy is still a race, PAR402). One site that passes a plain list keeps the parameter an ordinary one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from parallelize._analysis.context import ModuleContext, ScopeNode
from parallelize._analysis.scopes import dotted_name, is_sync_value
from parallelize._analysis.sharing import is_shared_value

#: Pool methods whose extra arguments after the function are the task's own arguments.
SUBMIT_METHODS = frozenset({"submit"})
#: Pool methods that take the task's arguments as one tuple (``apply_async(f, (a, b), {"k": v})``).
APPLY_METHODS = frozenset({"apply", "apply_async"})


@dataclass
class Passed:
    """The arguments one hand-over site gives a task, positional (up to a ``*args``) and by keyword."""

    positional: list[ast.expr] = field(default_factory=list)
    keywords: dict[str, ast.expr] = field(default_factory=dict)

    def prepend(self, args: list[ast.expr], keywords: list[ast.keyword]) -> Passed:
        """Return these arguments after ``functools.partial``'s own ones."""
        given = _sequence(ast.Tuple(elts=args))
        rest = self.positional if len(given) == len(args) else []  # past a `*args` the positions are unknown
        return Passed(given + rest, {k.arg: k.value for k in keywords if k.arg} | self.keywords)


def _sequence(node: ast.expr | None) -> list[ast.expr]:
    """Return the elements of a tuple or list display up to the first ``*x`` (positions past it are unknown)."""
    found: list[ast.expr] = []
    for elt in node.elts if isinstance(node, (ast.Tuple, ast.List)) else []:
        if isinstance(elt, ast.Starred):
            break
        found.append(elt)
    return found


def _mapping(node: ast.expr | None) -> dict[str, ast.expr]:
    if isinstance(node, ast.Dict):
        return {k.value: v for k, v in zip(node.keys, node.values, strict=False)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return {}


def passed_at(call: ast.Call, pool: ast.expr | None, outer: ast.Call | None) -> Passed:
    """Return what the hand-over ``call`` passes to the task besides the items.

    Args:
        call: ``Process(target=f, args=...)``, ``pool.submit(f, a)``, ``pool.apply_async(f, (a,))``,
            ``pool.map(f, items)`` or ``delayed(f)``.
        pool: The expression the pool was built from (for mpire's ``shared_objects=``), when known.
        outer: For ``delayed(f)``, the call that applies it (``delayed(f)(a, b)``).
    """
    last = dotted_name(call.func).rsplit(".", 1)[-1]
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if last in {"Thread", "Process"}:
        return Passed(_sequence(keywords.get("args")), _mapping(keywords.get("kwargs")))
    if outer is not None:
        return Passed(_sequence(ast.Tuple(elts=outer.args)), {k.arg: k.value for k in outer.keywords if k.arg})
    if isinstance(call.func, ast.Attribute) and call.func.attr in SUBMIT_METHODS:
        return Passed(_sequence(ast.Tuple(elts=call.args[1:])), keywords)
    if isinstance(call.func, ast.Attribute) and call.func.attr in APPLY_METHODS:
        args = call.args[1] if len(call.args) > 1 else keywords.get("args")
        kwds = call.args[2] if len(call.args) > 2 else keywords.get("kwds")
        return Passed(_sequence(args), _mapping(kwds))
    if isinstance(pool, ast.Call):  # mpire: WorkerPool(n, shared_objects=x) passes x first to every task
        shared = next((k.value for k in pool.keywords if k.arg == "shared_objects"), None)
        if shared is not None:
            return Passed(_sequence(shared) if isinstance(shared, ast.Tuple) else [shared])
    return Passed()


def _last_assignment(ctx: ModuleContext, scope: ScopeNode, name: str, line: int) -> ast.expr | None:
    """Return the value of the last plain ``name = value`` in ``scope``'s own body before ``line``."""
    before = [value for at, value in ctx.assignments(scope).get(name, []) if at < line]
    return before[-1] if before else None


def shared_value_at(ctx: ModuleContext, value: ast.expr | None, scope: ScopeNode, line: int) -> ast.expr | None:
    """Return the expression that built ``value`` (evaluated in ``scope`` at ``line``) when it is an object shared
    between workers: ``value`` itself, or for a name, its last assignment before ``line`` in the nearest scope
    binding it; ``None`` when it is not shared or not known."""
    if value is None:
        return None
    if is_shared_value(value) or is_sync_value(value):
        return value
    if not isinstance(value, ast.Name):
        return None
    for candidate in (scope, *ctx.enclosing(scope)):
        if isinstance(candidate, ast.ClassDef):
            continue
        binding = ctx.binder(candidate).bindings.get(value.id)
        if binding is None:
            continue
        bound = _last_assignment(ctx, candidate, value.id, line) if candidate is scope else None
        bound = bound if bound is not None else binding.value
        return bound if is_shared_value(bound) or is_sync_value(bound) else None
    return None


def shared_parameters(
    ctx: ModuleContext, params: list[str], passed: Passed, scope: ScopeNode, line: int
) -> dict[str, ast.expr]:
    """Return the names in ``params`` (the task's parameters in call order, ``self`` already dropped) that
    ``passed`` fills with a shared object, each with the expression that built the object."""
    given = dict(zip(params, passed.positional, strict=False))
    given |= {name: value for name, value in passed.keywords.items() if name in params}
    found = {name: shared_value_at(ctx, value, scope, line) for name, value in given.items()}
    return {name: value for name, value in found.items() if value is not None}


__all__ = ["Passed", "passed_at", "shared_parameters", "shared_value_at"]
