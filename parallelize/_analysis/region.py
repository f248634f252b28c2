"""The context of one effects walk (:class:`Region`), callee summaries, and small AST predicates."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from parallelize._analysis.catalogue import PROCESS_STATE_ROOTS
from parallelize._analysis.collectors import Form
from parallelize._analysis.facts import Owner
from parallelize._analysis.scopes import COMPREHENSIONS, dotted_name, target_names


@dataclass(frozen=True)
class Summary:
    """What a function defined in the same module mutates (one level: its own body, no further calls).

    Attributes:
        name: The function's name.
        params: Parameter names in call order (``self`` included for methods).
        mutated: Parameter or free names whose objects the body mutates → line of the write.
        likely: Parameter or free names whose objects the body calls a method of for its side effect (a likely
            mutation, PAR108) → (line, the call's text).
    """

    name: str
    params: tuple[str, ...]
    mutated: dict[str, int]
    likely: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass
class Region:
    """The context of one walk.

    Attributes:
        loop_mode: ``True`` for a loop body, ``False`` for a whole task function.
        bound: Names bound inside the region (private to an iteration, or locals of the task).
        resolve: Owner of a name not bound in the region (``None``: import, builtin or unknown).
        forms: Allowed accumulator statements (``id(stmt)`` → form); their receivers are not mutations.
        accumulators: Names of the accumulators (reads elsewhere are loop-carried).
        initial: Initial alias state (task parameters stand for the caller's objects).
        summaries: Looks up a callee's summary by the call's function expression.
        strict: Report outer objects passed to calls the analysis cannot see.
        declared: Names declared ``global`` or ``nonlocal`` in the region's function.
        visible: Whether a call's function expression is a function of this module the analysis can read.
        qualify: Turns a dotted name as written into the imported name it stands for (``hq.heappush`` →
            ``heapq.heappush`` after ``import heapq as hq``).
    """

    loop_mode: bool
    bound: set[str]
    resolve: Callable[[str], Owner | None]
    forms: dict[int, Form] = field(default_factory=dict)
    accumulators: set[str] = field(default_factory=set)
    initial: dict[str, Owner | None] = field(default_factory=dict)
    #: Names that index each task's own slot (the task's parameters, the loop's own target): under threads
    #: ``results[i] = v`` with one of them is a disjoint write.
    own_indices: frozenset[str] = frozenset()
    #: Whether calling a method (by name) on the object an outer name was bound to leaves it unchanged: the
    #: object's class is defined in the checked module and its method was analysed.
    keeps_receiver: Callable[[ast.expr | None, str], bool] = lambda _value, _method: False
    summaries: Callable[[ast.expr], Summary | None] = lambda _func: None
    strict: bool = False
    declared: set[str] = field(default_factory=set)
    visible: Callable[[ast.expr], bool] = lambda _func: False
    qualify: Callable[[str], str] = lambda dotted: dotted
    read_only_method: Callable[[str], bool] = lambda _name: False
    #: For a call of a same-module function: the global-state call it makes, followed into the functions it
    #: calls, as ``(effect kind, dotted name)`` (``("pyplot", "plt.plot")``), or ``None``.
    global_state_of: Callable[[ast.expr], tuple[str, str] | None] = lambda _func: None
    #: For a call of a same-module function: the random generator object bound outside it that it draws from
    #: (itself or through the functions it calls), as ``(owner, name)``, or ``None``.
    shared_rng_of: Callable[[ast.expr], tuple[Owner, str] | None] = lambda _func: None
    #: How many bindings of a name, stores into its object and mutating calls on it the module holds
    #: (:func:`~parallelize._analysis.values.changes_of`): 1 means bound once and never changed.
    changes: Callable[[str], int] = lambda _name: 2
    #: The loop's own target when it iterates a literal list of functions (``for metric in [log_loss, f1]``):
    #: the name → the imported names it takes, qualified, so a call of it is judged as a call of each.
    callees: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Calls inside a ``with warnings.catch_warnings():`` block of the body (``id(call)``): a filter they set is
    #: undone when the block ends, so in a worker it changes nothing later tasks see.
    scoped_calls: frozenset[int] = frozenset()


def snippet(node: ast.AST, limit: int = 60) -> str:
    """Return the source of ``node`` on one line, shortened to ``limit`` characters."""
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):  # pragma: no cover - malformed nodes
        return type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_true(node: ast.expr) -> bool:
    """Return whether ``node`` is the constant ``True``."""
    return isinstance(node, ast.Constant) and node.value is True


def is_dynamic_namespace(node: ast.AST) -> bool:
    """Return whether ``node`` is a ``globals()``, ``vars()`` or ``locals()`` call."""
    return isinstance(node, ast.Call) and dotted_name(node.func) in {"globals", "vars", "locals"}


def touches_process_state(target: ast.Attribute | ast.Subscript) -> bool:
    """Return whether a store target is process-wide state (``os.environ[...]``, ``sys.path``)."""
    dotted = dotted_name(target.value if isinstance(target, ast.Subscript) else target)
    return dotted in PROCESS_STATE_ROOTS or any(dotted.startswith(r + ".") for r in PROCESS_STATE_ROOTS)


def is_lock(expr: ast.expr, resolve: Callable[[str], Owner | None]) -> bool:
    """Return whether ``with expr:`` holds a lock (a lock constructor's result, or a name saying ``lock``)."""
    if isinstance(expr, ast.Name):
        owner = resolve(expr.id)
        return (owner is not None and owner.lock) or "lock" in expr.id.lower()
    if isinstance(expr, ast.Attribute):
        return "lock" in expr.attr.lower()
    return False


def locally_bound(node: ast.AST) -> set[str]:
    """Return the names comprehensions and lambdas inside ``node`` bind for themselves."""
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, COMPREHENSIONS):
            for gen in child.generators:
                names.update(target_names(gen.target))
        elif isinstance(child, ast.Lambda):
            args = child.args
            names.update(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
            names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return names


def pattern_names(pattern: ast.pattern) -> set[str]:
    """Return the names a ``match`` pattern captures."""
    names: set[str] = set()
    for child in ast.walk(pattern):
        name = getattr(child, "name", None) or getattr(child, "rest", None)
        if isinstance(name, str):
            names.add(name)
    return names
