"""Loop-mode soundness: global-state APIs (PAR601-PAR603) and calls whose effect on an outer object is unknown
(PAR109).

Mixed into :class:`~parallelize._analysis.expressions.ExpressionEffects`; called once per call in a loop body,
after the known mutators, writers and helpers have had their say. The catalogue is
:mod:`parallelize._analysis.globalstate`.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from parallelize._analysis.catalogue import ARGUMENT_WRITERS, FIRST_ARG_WRITERS, PURE_BUILTINS, is_outward
from parallelize._analysis.estimators import (
    IN_PLACE_FITTERS,
    POSITIONAL_RANDOM_STATE,
    constructed_class,
    draws_unseeded,
    draws_unseeded_function,
    estimator_class,
    seeding_mapping,
)
from parallelize._analysis.globalstate import (
    CONVENTIONAL_ALIASES,
    DISPLAY_METHODS,
    DRAW_TARGET_KEYWORDS,
    PANDAS_PLOT_METHODS,
    PROCESS_WIDE_ROOTS,
    READ_ONLY_METHODS,
    RNG_KEYWORD,
    conventional,
    display_class,
    figure_method,
    global_rng_call,
    process_wide_call,
    pyplot_call,
    read_only_function,
    rng_object,
)
from parallelize._analysis.scopes import dotted_name, root_name
from parallelize._analysis.values import fixed_mapping, fixed_mappings, immutable, immutable_elements

if TYPE_CHECKING:
    from parallelize._analysis.context import ModuleContext
    from parallelize._analysis.expressions import ExpressionEffects
    from parallelize._analysis.facts import Owner


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


_F = TypeVar("_F", bound=_Coded)

#: Builtins (classes, exceptions, functions) that leave their arguments alone; the ones that do not (``setattr``,
#: ``exec``, ``next``...) have their own rules.
BUILTIN_READERS = frozenset(dir(builtins)) - {"setattr", "delattr", "exec", "eval", "next", "globals", "locals",
                                              "vars", "compile", "__import__", "input", "breakpoint"}

#: Effects already saying what a call does; a call with one of them is not also PAR109.
_KNOWN = ("mutating-call", "file-write", "out-argument", "call-mutates", "process-state", "dynamic",
          "helper-method-call", "method-call-statement", "pyplot", "figure-draw", "global-rng", "process-wide")


def _is_module_root(walker: ExpressionEffects, node: ast.expr) -> bool:
    root = root_name(node)
    if root is None:
        return True
    name = root.id
    return name in CONVENTIONAL_ALIASES or walker.region.qualify(name) != name


def global_state_call(qualify: Callable[[str], str], call: ast.Call,
                      seeds: Callable[[ast.expr], bool] = lambda _mapping: False) -> tuple[str, str] | None:
    """The global-state effect of ``call`` itself: ``("pyplot" | "global-rng" | "process-wide", name)``. A
    scikit-learn estimator that draws, built without ``random_state``, draws from the global RNG (``seeds(m)``:
    whether a ``**m`` argument gives one)."""
    dotted = dotted_name(call.func) or ""
    qualified = conventional(qualify(dotted)) if dotted else ""
    if qualified and pyplot_call(qualified):
        return ("pyplot", dotted)
    if qualified and global_rng_call(qualified):
        return ("global-rng", dotted)
    if qualified and draws_unseeded_function(call, qualified):
        return ("global-rng", f"{dotted}(...) with `random_state` left at None")
    made = constructed_class(call, qualify)
    if made is not None and draws_unseeded(call, made, seeds):
        return ("global-rng", f"{dotted}(...) with `random_state` left at None")
    if qualified and (process_wide_call(qualified) or any(
        qualified.startswith(root + ".") for root in PROCESS_WIDE_ROOTS
    )):
        return ("process-wide", dotted)
    return None


def _listed_state(walker: ExpressionEffects, call: ast.Call,
                  seeds: Callable[[ast.expr], bool]) -> tuple[str, str] | None:
    """The global-state effect of a call through a loop target that takes listed imported functions or classes
    (``for draw in [permutation, choice]: draw(5)``, ``for Model in [RandomForestClassifier, ...]``): the first
    effect one of them would have, called so."""
    func = call.func
    if not (isinstance(func, ast.Name) and func.id in walker.region.callees):
        return None
    for qualified in walker.region.callees[func.id]:
        as_called = ast.Call(func=ast.Name(id=qualified, ctx=ast.Load()), args=call.args, keywords=call.keywords)
        found = global_state_call(lambda dotted: dotted, as_called, seeds)
        if found is not None:
            return found[0], f"{func.id} (as `{qualified.rpartition('.')[2]}`): {found[1]}"
    return None


def check_call(walker: ExpressionEffects, call: ast.Call, dotted: str, text: str) -> None:
    """Emit the global-state and unknown-effect facts of one call in a loop body."""
    direct = global_state_call(walker.region.qualify, call, lambda mapping: _seeds(walker, mapping)) or (
        _listed_state(walker, call, lambda mapping: _seeds(walker, mapping)))
    if direct is not None and not (direct[0] == "global-rng" and (id(call), "out-argument") in walker._seen):
        scoped = direct[0] == "process-wide" and id(call) in walker.region.scoped_calls
        if scoped:
            walker.emit(direct[0], call, stmt=text, name=direct[1], scoped="catch_warnings")
        else:
            walker.emit(direct[0], call, stmt=text, name=direct[1])
        return
    through = walker.region.global_state_of(call.func)
    if through is not None:  # a helper of this module that draws, seeds or changes process-wide state
        kind, inner = through
        walker.emit(kind, call, stmt=text, name=f"{dotted or 'the helper'} (through its call of `{inner}`)")
        return
    qualified = conventional(walker.region.qualify(dotted)) if dotted else ""
    for keyword in call.keywords:
        if keyword.arg == RNG_KEYWORD and isinstance(keyword.value, ast.Constant) and keyword.value.value is None:
            walker.emit("global-rng", call, stmt=text, name=f"{dotted or 'the call'}(random_state=None)")
            return
    if any((id(call), kind) in walker._seen for kind in _KNOWN):
        return
    made = constructed_class(call, walker.region.qualify)
    if made is not None and any(k.arg in {"copy", "copy_X"} and not (
        isinstance(k.value, ast.Constant) and k.value.value is True) for k in call.keywords
    ):  # `StandardScaler(copy=False)`: its fit or transform may overwrite the caller's array, in a worker's copy
        walker.emit("unknown-call", call, stmt=text, bound="the data its fit or transform is given",
                    how=f"`{dotted}` is built to work in place (`copy=False`)")
        return
    if shared_rng(walker, call, dotted, text):
        return
    func = call.func
    drawn = drawing_call(walker, call)
    if drawn is not None:
        walker.emit(drawn[0], call, drawn[1], stmt=text, name=dotted or "the call")
        return
    if isinstance(func, ast.Attribute) and not _is_module_root(walker, func.value):
        owner = walker.owner_of(func.value)
        if owner is not None:
            if figure_method(func.attr):
                walker.emit("figure-draw", call, owner, stmt=text, method=func.attr)
                return
            if fitted_item(call, func, owner, walker):
                return
            if id(call) == walker._discarded_call:
                return  # `_ = obj.method(...)`: declared a call made for its result (PAR108's documented way)
            if not (func.attr in READ_ONLY_METHODS or is_outward(func.attr) or walker.region.visible(func)
                    or walker.region.read_only_method(func.attr)):
                walker.emit("unknown-call", call, owner, stmt=text, method=func.attr,
                            how=f"`{func.attr}` is not known to be read-only")
                return
    if _callee_known(walker, call, qualified) and not _in_place_copy(call, qualified):
        return
    if isinstance(func, ast.Attribute) and (root_name(func.value) is None or not _is_module_root(walker, func.value)):
        return  # a method of the iteration's own object (or `super()`): assumed to leave its arguments alone
    if isinstance(func, ast.Name) and walker.owner(func.id) is not None:
        return  # an outer bound method (``add = out.append``): PAR102 reports it
    estimator = estimator_class(qualified) if qualified else None
    keeps = estimator is not None and estimator not in IN_PLACE_FITTERS
    given_args: list[tuple[str | None, ast.expr]] = [(None, a) for a in call.args]
    given_args += [(k.arg or "**", k.value) for k in call.keywords]
    for slot, given in given_args:
        if isinstance(given, (ast.List, ast.Tuple, ast.Set, ast.Dict)):  # ``Pipeline([("m", model)])``
            given_args += [(slot, e) for e in _display_parts(given)]
            continue
        arg = given.value if isinstance(given, ast.Starred) else given
        if isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript)) and not _is_module_root(walker, arg):
            owner = walker.owner_of(arg)
            if owner is None or fixed_value(walker, owner):
                continue  # an immutable value: no call can change it
            if keeps and _kept(slot, estimator, walker, owner):
                continue  # a scikit-learn constructor stores it; the estimator's fit changes none of its params
            walker.emit("unknown-call", call, owner, stmt=text, method=dotted or "a call",
                        how=f"it is passed to `{dotted or 'a call'}`, not known to be read-only")
            return


def _display_parts(display: ast.List | ast.Tuple | ast.Set | ast.Dict) -> list[ast.expr]:
    """Return the elements of a display (a dict's keys and values)."""
    if isinstance(display, ast.Dict):
        return [*(k for k in display.keys if k is not None), *display.values]
    return list(display.elts)


def _kept(keyword: str | None, estimator: str | None, walker: ExpressionEffects, owner: Owner) -> bool:
    """Return whether a scikit-learn constructor keeps an outer argument unchanged through fitting: any argument
    but the random generator its fit would advance (``random_state``, or one a ``**mapping`` may hold)."""
    if keyword == "random_state" or (keyword is None and estimator in POSITIONAL_RANDOM_STATE):
        return False
    if keyword == "**":
        return _trusted_value(walker, owner, lambda value, item: (
            fixed_mappings(value, walker_builtin(walker)) if item else fixed_mapping(value, walker_builtin(walker))))
    return True


def _seeds(walker: ExpressionEffects, mapping: ast.expr) -> bool:
    """Return whether ``**mapping`` provably gives a ``random_state`` (:func:`estimators.seeding_mapping`)."""
    owner = walker.owner_of(mapping) if isinstance(mapping, ast.Name) else None
    return owner is not None and _trusted_value(walker, owner, lambda value, _item: seeding_mapping(value))


def walker_builtin(walker: ExpressionEffects) -> Callable[[str], bool]:
    """Return whether a name is the builtin of that name where ``walker`` reads it (not bound or shadowed)."""
    return lambda name: hasattr(builtins, name) and walker.owner(name) is None and walker.region.changes(name) == 0


def _trusted_value(walker: ExpressionEffects, owner: Owner, proves: Callable[[ast.expr, bool], bool]) -> bool:
    """Apply ``proves(value, is_item)`` to what ``owner``'s outer name was bound to, when it was bound once (before
    the loop, in an enclosing function or at module level) and never changed; an item is one of its elements."""
    if owner.kind == "item":
        collection = walker.region.resolve(owner.name)
        if collection is None or collection.name != owner.name:
            return False
        owner, item = collection, True
    else:
        item = False
    if owner.kind not in {"before-loop", "module", "closure"} or owner.value is None:
        return False
    return walker.region.changes(owner.name) == 1 and proves(owner.value, item)


def fixed_value(walker: ExpressionEffects, owner: Owner) -> bool:
    """Return whether the outer object ``owner`` stands for is provably immutable (:mod:`values`)."""
    is_builtin = walker_builtin(walker)

    def bound_to(name: str) -> ast.expr | None:  # the one value a name of the module was ever bound to
        found = walker.region.resolve(name)
        return found.value if found is not None and walker.region.changes(name) == 1 and found.kind in {
            "before-loop", "module", "closure"} else None

    return _trusted_value(walker, owner, lambda value, item: (
        immutable_elements(value, walker.region.qualify, is_builtin, bound_to) if item
        else immutable(value, is_builtin, bound_to)))


def shared_rng(walker: ExpressionEffects, call: ast.Call, dotted: str, text: str) -> bool:
    """Emit PAR109 when ``call`` draws from a random generator object bound outside the iteration without
    naming it as its receiver (``rng.normal()`` is the receiver check's): one passed to it (``noisy(x, rng)``,
    ``KMeans(random_state=rng)``), or one a same-module helper uses (``def noisy(x): return x + rng.normal()``).
    Every draw advances the generator, so workers drawing from their own copies repeat numbers."""
    for given in (*call.args, *(k.value for k in call.keywords)):
        arg = given.value if isinstance(given, ast.Starred) else given
        if isinstance(arg, ast.Name):
            owner = walker.owner_of(arg)
            if owner is not None and rng_object(walker.region.qualify, owner.value):
                walker.emit("unknown-call", call, owner, stmt=text, method=dotted or "a call",
                            how=f"a random generator passed to `{dotted or 'a call'}`, which may draw from it")
                return True
    found = walker.region.shared_rng_of(call.func)
    if found is None:
        return False
    owner, name = found
    if owner.kind != "module":  # an enclosing function's generator: outer only if not bound in the iteration
        owner = walker.owner_of(ast.Name(id=name, ctx=ast.Load()))
        if owner is None or not rng_object(walker.region.qualify, owner.value):
            return False
    walker.emit("unknown-call", call, owner, stmt=text, method=dotted or "the helper",
                how=f"`{dotted or 'the helper'}` draws from this random generator, shared by the iterations")
    return True


def drawing_call(walker: ExpressionEffects, call: ast.Call) -> tuple[str, Owner | None] | None:
    """Return ``(effect kind, outer object)`` when ``call`` draws through pyplot or on outer axes in a way the
    figure methods of an outer receiver do not already say: a display class (``RocCurveDisplay.from_predictions``,
    ``SomeDisplay(...).plot()``), pandas plotting (``df.plot(...)``, ``df.plot.box()``, ``df.hist()``), or a
    call given outer axes or an outer figure as ``ax=``/``fig=``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        owner = None if _is_module_root(walker, receiver) else walker.owner_of(receiver)
        if owner is not None and figure_method(func.attr):
            return None  # ``ax.plot(...)`` on outer axes: the figure-method check says it
        made_by = dotted_name(receiver.func) if isinstance(receiver, ast.Call) else dotted_name(receiver)
        if func.attr in DISPLAY_METHODS and made_by and display_class(made_by):
            return ("pyplot", None)
        if isinstance(receiver, ast.Attribute) and receiver.attr == "plot" and not _is_module_root(walker, receiver):
            return ("pyplot", None)  # ``df.plot.box()``, ``series.plot.hist()``: pandas' plot accessor
        if func.attr in PANDAS_PLOT_METHODS and owner is None and not _is_module_root(walker, receiver) and (
            not call.args or (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))
        ):
            return ("pyplot", None)  # ``df.plot(x=..., y=...)``, ``disp.plot()``, ``df.hist()`` (pandas' form)
    for keyword in call.keywords:
        if keyword.arg in DRAW_TARGET_KEYWORDS and isinstance(keyword.value, (ast.Name, ast.Attribute,
                                                                              ast.Subscript)):
            if _is_module_root(walker, keyword.value):
                continue
            owner = walker.owner_of(keyword.value)
            if owner is not None:
                return ("figure-draw", owner)
    return None


def _in_place_copy(call: ast.Call, qualified: str) -> bool:
    """Return whether ``call`` asks a scikit-learn function to work in place (``normalize(X, copy=False)``,
    ``scale(X, copy=False)``): then it changes its input, whatever the read-only catalogue says."""
    return qualified.startswith("sklearn.") and any(
        k.arg == "copy" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords)


def _writes_argument(qualified: str) -> bool:
    """A function of the catalogue that writes into an argument (``np.fill_diagonal``, ``np.add.at``,
    ``heapq.heappush``), or a class (its instance is a new object, but its constructor is not judged here)."""
    name = qualified.rpartition(".")[2]
    return name in FIRST_ARG_WRITERS or name == "at" or qualified in ARGUMENT_WRITERS or name[:1].isupper()


def _callee_known(walker: ExpressionEffects, call: ast.Call, qualified: str) -> bool:
    """Return whether the callee is known to leave its arguments alone (or is judged by another rule)."""
    func = call.func
    if isinstance(func, ast.Name) and (func.id in PURE_BUILTINS or (
        func.id in BUILTIN_READERS and walker.region.resolve(func.id) is None
    )):
        return True
    if isinstance(func, ast.Name) and func.id in walker.region.callees:
        return all(_plain_reader(q) and not _in_place_copy(call, q) and not _writes_argument(q)
                   for q in walker.region.callees[func.id])
    short = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if qualified and read_only_function(qualified, short):
        return True
    if isinstance(func, ast.Attribute) and func.attr in READ_ONLY_METHODS:
        return True  # ``x.copy()``, ``s.join(parts)``: a read-only method on a fresh or module object
    return walker.region.visible(func)  # a function of this module: PAR105/PAR108 judge what it changes


def _plain_reader(qualified: str) -> bool:
    """An imported function of the catalogue that leaves its arguments alone and touches no global state."""
    return read_only_function(qualified, qualified.rpartition(".")[2]) and not (
        pyplot_call(qualified) or global_rng_call(qualified) or process_wide_call(qualified))


#: scikit-learn's fitting methods return the fitted estimator; on the loop's own item, with the result collected,
#: the caller gets the fitted objects from the returned collection (its originals stay unfitted: documented).
FIT_METHODS = frozenset({"fit", "fit_transform", "fit_predict"})


def fitted_item(call: ast.Call, func: ast.Attribute, owner: Owner, walker: ExpressionEffects) -> bool:
    """Return whether ``call`` is ``item.fit(...)`` on the loop's own item with its result used."""
    return (func.attr in FIT_METHODS and owner.kind == "item" and isinstance(func.value, ast.Name)
            and id(call) != walker._statement_call)


#: The rule a decorator's ``seed=`` answers: with it every iteration draws from its own seeded stream.
SEEDED_CODES = frozenset({"PAR602"})


def seeded(scope: ast.AST) -> bool:
    """Return whether ``scope`` is a function decorated with ``seed=`` (not ``None``) by one of our decorators."""
    for deco in getattr(scope, "decorator_list", ()):
        if isinstance(deco, ast.Call):
            for keyword in deco.keywords:
                if keyword.arg == "seed" and not (isinstance(keyword.value, ast.Constant)
                                                  and keyword.value.value is None):
                    return True
    return False


def drop_seeded(findings: list[_F], is_seeded: bool) -> list[_F]:
    """Return ``findings`` without those a decorator's ``seed=`` makes safe (the global RNG, PAR602)."""
    if not is_seeded:
        return findings
    return [f for f in findings if f.code not in SEEDED_CODES]


def methods_read_only(ctx: ModuleContext, name: str) -> bool:
    """Return whether every method called ``name`` of this module's classes (at least one) leaves ``self``, its
    arguments and outer objects unchanged, one level deep: then ``obj.name(...)`` on an outer object is no PAR109,
    whatever class ``obj`` belongs to among them. A name no class here defines is unknown (``False``)."""
    cache: dict[str, bool] = ctx.__dict__.setdefault("_read_only_methods", {})
    if name not in cache:
        from parallelize._analysis.context import task_walker

        found = [item for node in ast.walk(ctx.tree) if isinstance(node, ast.ClassDef) for item in node.body
                 if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name]
        cache[name] = False  # recursion guard
        verdict = bool(found)
        for method in found:
            walker = task_walker(ctx, method, follow_calls=False)
            walker.walk(method.body)
            if any((e.owner is not None and e.kind not in {"carried-read", "accumulator-read"}) or e.kind == "dynamic"
                   for e in walker.effects):
                verdict = False
                break
        cache[name] = verdict
    return cache[name]
