"""What counts as a fresh scikit-learn estimator for the proved estimator patterns (refits.py, items.py): a
constructor call whose arguments no fit can change, keep for the caller or call back into.

A fit may advance a random generator it was given, fit a pipeline step in place, run a callback of the user's
module, or overwrite the data it is given (``copy=False``); an estimator class of the user's module, or of another
library, may keep learning from fit to fit. So only scikit-learn's own constructors and builders count, with
arguments built from constants, immutable names and what scikit-learn, numpy, scipy and math export (their global
generators excepted), or outer names that a cloning meta-estimator keeps (:class:`Kept`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from parallelize._analysis.estimators import IN_PLACE_FITTERS, POSITIONAL_RANDOM_STATE, estimator_class, root_of
from parallelize._analysis.globalstate import conventional
from parallelize._analysis.scopes import dotted_name

#: Libraries whose exports a fit does not change or call back into with effects (functions, classes, constants).
TRUSTED_LIBRARIES = frozenset({"sklearn", "numpy", "scipy", "math"})
#: Calls whose result is a new object holding (copies of) what they are given.
_BUILDERS = frozenset({"make_pipeline", "make_union", "make_column_transformer", "clone"})


@dataclass
class Kept:
    """Outer names a cloning scikit-learn constructor may keep (``BaggingClassifier(tree)``, ``cv=cv``): ``lookup``
    gives the one value a name was bound to in the scope, before the loop; ``found`` collects ``(slot, name,
    value)`` of those accepted (``slot`` ``None`` for a positional argument)."""

    lookup: Callable[[str], ast.expr | None]
    found: list[tuple[str | None, str, ast.expr]] = field(default_factory=list)


#: Builtins whose result, given fresh arguments, is a new value nothing else holds.
_FRESH_BUILTINS = frozenset({"dict", "list", "tuple", "set", "frozenset", "range", "float", "int", "str", "bool",
                             "slice", "abs", "min", "max", "round", "len", "sorted", "zip", "sum"})
#: Modules whose functions, given fresh arguments, return new data (their global generators excepted).
_DATA_MODULES = ("numpy.", "scipy.", "math.")
#: Keywords that make a scikit-learn estimator work on the data it is given in place.
_IN_PLACE_KEYWORDS = frozenset({"copy", "copy_X"})


def sklearn_name(qualified: str) -> bool:
    """A name imported from scikit-learn (a class of this module with a scikit-learn name does not count)."""
    return qualified.split(".", maxsplit=1)[0] == "sklearn"


def random_module(qualified: str) -> bool:
    """A name of a legacy global generator module (``numpy.random.RandomState``, ``random.random``)."""
    return qualified.startswith(("numpy.random.", "random.")) or qualified in {"numpy.random", "random"}


def fresh_estimator(value: ast.expr, qualify: Callable[[str], str], inert: Callable[[str], bool],
                     warm: bool = False, kept: Kept | None = None) -> bool:
    """A scikit-learn constructor call (or ``make_pipeline``/``clone``) whose arguments hold nothing mutable from
    outside, nothing a fit would call back into, no generator object, no ``copy=False`` and (unless ``warm``) no
    ``warm_start`` that could be true. With ``kept``, an outer name bound once to such a value may be given to a
    constructor that clones it (:class:`Kept`)."""
    if not isinstance(value, ast.Call):
        return False
    dotted = dotted_name(value.func)
    short = dotted.rpartition(".")[2]
    if not dotted or not (short[:1].isupper() or short in _BUILDERS):
        return False
    # scikit-learn's own classes and builders, imported from it: their `fit` is a reset (a class of another
    # library, or of this module, may keep learning from fit to fit).
    qualified = conventional(qualify(dotted))
    if not sklearn_name(qualified) or (estimator_class(qualified) is None and short not in _BUILDERS):
        return False
    return fresh_part(value, qualify, inert, warm, kept)


def fresh_part(node: ast.expr, qualify: Callable[[str], str], inert: Callable[[str], bool],
                warm: bool = False, kept: Kept | None = None) -> bool:
    """A part of a constructor expression that no fit of the estimator can change, nothing else holds, and a fit
    does not call back into (a function of this module or of another library).

    Allowed: constants and displays of them; names of builtins, of immutable values and of what scikit-learn,
    numpy, scipy and math export (not their global generators); calls of scikit-learn constructors with such
    arguments, and of numpy/scipy/math functions and builtins given such arguments (``np.logspace(-3, 3, 7)``).
    With ``kept``, an outer name given to a constructor that clones it, other than as ``random_state``
    (estimators.py: a generator is advanced by every fit), when the one value it was bound to is such a part."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Name, ast.Attribute)):
        root = root_of(node)
        return isinstance(root, ast.Name) and inert(root.id) and not random_module(
            conventional(qualify(dotted_name(node))))
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(fresh_part(e, qualify, inert, warm, kept) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and fresh_part(k, qualify, inert, warm, kept)
                   and fresh_part(v, qualify, inert, warm, kept)
                   for k, v in zip(node.keys, node.values, strict=True))
    if isinstance(node, ast.UnaryOp):
        return fresh_part(node.operand, qualify, inert, warm, kept)
    if isinstance(node, ast.BinOp):
        return fresh_part(node.left, qualify, inert, warm, kept) and fresh_part(node.right, qualify, inert, warm,
                                                                                  kept)
    if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
        return False
    root = root_of(node.func)
    if not (isinstance(root, ast.Name) and inert(root.id)):
        return False  # a method of an outer object, or of what a call returned
    if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
        return False
    dotted = dotted_name(node.func)
    qualified = conventional(qualify(dotted))
    short = dotted.rpartition(".")[2]
    made = estimator_class(qualified) if sklearn_name(qualified) else None
    builder = sklearn_name(qualified) and short in _BUILDERS
    if made is None and not builder:
        data = qualified.startswith(_DATA_MODULES) and not random_module(qualified)
        if not (data or (isinstance(node.func, ast.Name) and node.func.id in _FRESH_BUILTINS)):
            return False  # a class or function of this module or another library: its fit may do anything
        return all(fresh_part(a, qualify, inert, warm) for a in (*node.args, *(k.value for k in node.keywords)))
    if any((not warm and may_warm(k.arg or "", k.value)) or works_in_place(k) for k in node.keywords):
        return False
    if short == "clone":
        if len(node.args) != 1 or node.keywords:
            return False
        given = node.args[0]
        if isinstance(given, ast.Name) and kept is not None:
            bound = kept.lookup(given.id)
            return bound is not None and fresh_estimator(bound, qualify, inert, warm)
        return fresh_estimator(given, qualify, inert, warm)
    clones = made is not None and made not in IN_PLACE_FITTERS
    for slot, arg in [*((None, a) for a in node.args), *((k.arg, k.value) for k in node.keywords)]:
        if fresh_part(arg, qualify, inert, warm, kept):
            continue
        if not (clones and kept is not None and isinstance(arg, ast.Name) and slot != "random_state"
                and not (slot is None and made in POSITIONAL_RANDOM_STATE)):
            return False
        bound = kept.lookup(arg.id)
        if bound is None or not fresh_part(bound, qualify, inert, warm):
            return False
        kept.found.append((slot, arg.id, bound))
    return True


def works_in_place(keyword: ast.keyword) -> bool:
    """``copy=False``/``copy_X=False`` (or a value not known): the estimator may change the data it is given."""
    return keyword.arg in _IN_PLACE_KEYWORDS and not (
        isinstance(keyword.value, ast.Constant) and keyword.value.value is True)


def may_warm(key: str, value: ast.expr) -> bool:
    """``warm_start=`` anything but the constant False: the next fit would continue from the last."""
    off = isinstance(value, ast.Constant) and value.value is False
    return key.rsplit("__", maxsplit=1)[-1] == "warm_start" and not off
