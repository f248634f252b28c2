"""Legacy-style functions for the loop-mode differential tests (issue 3), each written once and left undecorated.

``test_differential.py`` decorates them at test time with ``parallel_for(...)``/``io_bound(...)`` and compares
with the plain call. ``@legacy(*inputs)`` only records the inputs: it returns the function unchanged. An input
is a tuple of positional arguments (deep-copied per call) or a zero-argument callable returning one (for
generators and iterators, which cannot be copied). ``strategy`` names a hypothesis strategy in the test module.
Worker processes import this module by name (``conftest.py`` puts its folder on ``sys.path``).
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import parallelize


@dataclass
class Legacy:
    fn: Callable[..., Any]
    inputs: tuple[Any, ...]
    strategy: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    #: Known library bugs: (reason, backends where it shows, or None for every backend). Strict xfail.
    bug: tuple[str, frozenset[str] | None] | None = None

    @property
    def name(self) -> str:
        return self.fn.__name__


REGISTRY: list[Legacy] = []

INTS = ([3, 1, 4, 1, 5, 9, 2, 6],)
FLOATS = ([0.1, 0.2, 0.3, 1e16, -1e16, 1.0 / 3, 2.5e-8, 7.0],)
WORDS = (["pear", "fig", "apple", "kiwi", "fig", "banana"],)


def legacy(*inputs: Any, strategy: str | None = None, bug: tuple[str, frozenset[str] | None] | None = None,
           **options: Any) -> Callable[[Callable[..., Any]], Any]:
    def record(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY.append(Legacy(fn, inputs, strategy, options, bug))
        return fn

    return record


# --- lists -----------------------------------------------------------------------------------------------------
@legacy(INTS, ([],), ([7],), strategy="ints")
def append_squares(xs):
    out = []
    for x in xs:
        out.append(x * x)
    return out


@legacy(INTS, ([],), ([7],), strategy="ints")
def extend_pairs(xs):
    out = []
    for x in xs:
        out.extend([x, -x])
    return out


@legacy(INTS, ([],), strategy="ints")
def split_even_odd(xs):
    evens = []
    odds = []
    for x in xs:
        if x % 2 == 0:
            evens.append(x)
        else:
            odds.append(x)
    return evens, odds


@legacy(INTS)
def extend_from_generator(xs):
    out = [-1]
    for x in xs:
        out.extend(x * k for k in range(3))
    return out


@legacy(INTS, ([],))
def local_list_built_in_body(xs):
    rows = []
    for x in xs:
        row = []
        for k in range(x % 4):
            row.append(k * x)
        rows.append(row)
    return rows


@legacy(INTS, ([],))
def comprehension_in_body(xs):
    out = []
    for x in xs:
        out.append([y * x for y in range(3)])
        out.append({y: y + x for y in range(2)})
    return out


@legacy(([1, 2, 3],))
def extend_generator_then_rebind(xs):
    out = []
    for x in xs:
        out.extend(x * k for k in range(2))
        x = -100
    return out


# --- dicts and sets --------------------------------------------------------------------------------------------
@legacy(WORDS, ([],), (["solo"],), strategy="words")
def dict_of_lengths(words):
    lengths = {}
    for w in words:
        lengths[w] = len(w)
    return lengths


@legacy(INTS, ([],), strategy="ints")
def dict_last_write_wins(xs):
    by_residue = {}
    for i, x in enumerate(xs):
        by_residue[x % 3] = (i, x)
    return by_residue


@legacy(WORDS, ([],))
def dict_update_per_item(words):
    index = {"seed": 0}
    for w in words:
        index.update({w: w.upper()}, last=w)
    return index


@legacy(INTS, ([],), strategy="ints")
def set_add(xs):
    seen = set()
    for x in xs:
        seen.add(x % 7)
    return seen


@legacy(([[1, 2], [2, 3], [], [9]],), ([],))
def set_update(groups):
    members = set()
    for g in groups:
        members.update(g)
    return members


@legacy(({(0, 0): 1.5, (0, 1): 2.5, (1, 0): -3.0},), ({},))
def dict_tuple_keys(grid):
    scaled = {}
    for (i, j), v in grid.items():
        scaled[i, j] = v * (i + 1)
        scaled[(j, i, "t")] = -v
    return scaled


# --- numpy arrays written by index -----------------------------------------------------------------------------
@legacy(INTS, ([],), ([5],), strategy="ints")
def numpy_by_index(xs):
    out = np.zeros(len(xs))
    for i, x in enumerate(xs):
        out[i] = x ** 2 / 3.0
    return out


@legacy((np.arange(12.0).reshape(4, 3),), (np.zeros((0, 3)),))
def numpy_rows(mat):
    out = np.empty_like(mat)
    for i in range(mat.shape[0]):
        row = np.sqrt(mat[i]) * 2
        out[i, :] = row
    return out


@legacy((np.arange(12.0).reshape(3, 4),))
def numpy_columns(mat):
    out = np.zeros_like(mat)
    for j in range(mat.shape[1]):
        out[:, j] = mat[:, j].cumsum()
    return out


@legacy((4, 5), (0, 3))
def numpy_2d_cells(n, m):
    grid = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            grid[i, j] = i * 10 + j
    return grid


@legacy((np.linspace(0, 1, 7), np.zeros(7)))
def numpy_into_parameter(values, out):
    for i, v in enumerate(values):
        out[i] = math.exp(v)
    return out


@legacy((np.arange(20.0).reshape(5, 4),))
def numpy_slices(mat):
    out = np.zeros(mat.shape[0] * 2)
    for i, row in enumerate(mat):
        out[2 * i:2 * i + 2] = row[:2] * 0.5
    return out


# --- reductions ------------------------------------------------------------------------------------------------
@legacy(FLOATS, ([],), ([0.5],), strategy="floats")
def float_sum_augmented(xs):
    total = 0.0
    for x in xs:
        total += x * 0.1
    return total


@legacy(FLOATS, ([],), strategy="floats")
def float_sum_assign_form(xs):
    acc = 0.0
    for x in xs:
        acc = acc + math.sin(x)
    return acc


@legacy(FLOATS, ([],), strategy="floats")
def float_subtract(xs):
    remaining = 100.0
    for x in xs:
        remaining -= x / 7
    return remaining


@legacy(([1.5, 2.0, 0.75, 3.0],), ([],), strategy="small_floats")
def float_product(xs):
    p = 1.0
    for x in xs:
        p *= x
    return p


@legacy(INTS, ([],), strategy="ints")
def max_and_min(xs):
    best = -math.inf
    worst = math.inf
    for x in xs:
        best = max(best, x * 3 - 1)
        worst = min(x, worst)
    return best, worst


@legacy(([[1, 2, 3], [2, 3], [3, 2, 9]],), ([],))
def set_union_and_intersection(groups):
    union = set()
    common = set(range(10))
    for g in groups:
        union |= set(g)
        common &= set(g)
    return union, common


@legacy(INTS, ([],), strategy="ints")
def int_bits(xs):
    bits = 0
    mask = (1 << 12) - 1
    for x in xs:
        bits |= 1 << (x % 12)
        mask &= ~(1 << (x % 5))
    return bits, mask


@legacy(WORDS, ([],), strategy="words")
def string_concat(words):
    text = ""
    for w in words:
        text = text + (w[::-1] + ",")
    return text


@legacy(INTS, ([],))
def list_and_tuple_concat(xs):
    acc = [0]
    tup = ()
    for x in xs:
        acc += [x, x]
        tup = tup + (x,)  # noqa: RUF005  (the `acc = acc + e` reduction form, on purpose)
    return acc, tup


@legacy((np.arange(15.0).reshape(5, 3) / 7,), (np.zeros((0, 3)),))
def numpy_vector_sum(mat):
    acc = np.zeros(3)
    for row in mat:
        acc += row ** 1.5
    return acc


@legacy((np.random.default_rng(3).normal(size=(6, 5)),))
def numpy_float_rows_sum(mat):
    total = 0.0
    peak = -np.inf
    for row in mat:
        total += float(row.sum())
        peak = max(peak, row.max())
    return total, peak


@legacy(FLOATS, ([],))
def collect_and_reduce(xs):
    squares = []
    total = 0.0
    for x in xs:
        squares.append(x * x)
        total += x
    return squares, total


# --- nested data -----------------------------------------------------------------------------------------------
RECORDS = ([{"id": 1, "tags": ["b", "a"], "score": 0.5}, {"id": 2, "tags": [], "score": 1.25},
            {"id": 3, "tags": ["z"], "score": -2.0}],)


@legacy(RECORDS, ([],))
def nested_records(records):
    cleaned = []
    by_id = {}
    for r in records:
        cleaned.append({"id": r["id"], "tags": sorted(r["tags"]), "score": r["score"] * 2})
        by_id[r["id"]] = {"n_tags": len(r["tags"]), "meta": {"ok": r["score"] > 0}}
    return cleaned, by_id


@legacy(RECORDS, ([],))
def group_into_dict_of_lists(records):
    groups = {}
    for r in records:
        key = "pos" if r["score"] > 0 else "neg"
        groups[r["id"]] = [key, [t.upper() for t in r["tags"]]]
    return groups


# --- tuple targets and iterables -------------------------------------------------------------------------------
@legacy(INTS, ([],))
def enumerate_with_start(xs):
    out = []
    for i, x in enumerate(xs, 1):
        out.append(i * x)
    return out


@legacy((INTS[0], [2, 7, 1, 8]), ([], []))
def zip_pairs(xs, ys):
    out = []
    for a, b in zip(xs, ys):
        out.append(a * b)
    return out


@legacy(({"a": 1, "b": 2, "c": 3},), ({},))
def dict_items(d):
    doubled = {}
    for k, v in d.items():
        doubled[k] = v * 2
    return doubled


@legacy(({"a": 1, "b": 2},), ({},))
def loop_over_dict_keys(d):
    out = []
    for k in d:
        out.append((k, d[k]))
    return out


@legacy(([(1, 2), (3, 4), (5, 6)],), ([],))
def nested_tuple_target(pairs):
    out = []
    for i, (a, b) in enumerate(pairs):
        out.append(i + a * b)
    return out


@legacy((["x", "yz"],), ([],))
def starred_target(rows):
    out = []
    for first, *rest in rows:
        out.append((first, rest))
    return out


@legacy((10,), (0,), (1,))
def over_range(n):
    out = []
    for i in range(n):
        out.append(i * i)
    return out


@legacy((10,), (1,))
def over_range_with_step(n):
    out = {}
    for i in range(n, 0, -3):
        out[i] = n - i
    return out


@legacy(INTS, ([],))
def over_generator_expression(xs):
    out = []
    for y in (x * 2 for x in xs if x != 1):
        out.append(y)
    return out


def countdown(n):
    while n > 0:
        yield n
        n -= 1


@legacy((5,), (0,))
def over_generator_function(n):
    out = []
    for k in countdown(n):
        out.append(k * 10)
    return out


@legacy(lambda: (iter([4, 5, 6]),), lambda: (iter([]),), lambda: (iter([1]),))
def over_iterator_argument(it):
    out = []
    for x in it:
        out.append(x + 1)
    return out


@legacy(lambda: ((w for w in ["a", "bb", "ccc"]),), lambda: ((w for w in []),))
def over_generator_argument(gen):
    lengths = {}
    for w in gen:
        lengths[w] = len(w)
    return lengths


@legacy((7,), (0,))
def over_itertools_unknown_length(n):
    out = []
    for x in itertools.takewhile(lambda v: v < n, itertools.count()):
        out.append(x)
    return out


@legacy(([0, 3, None, 0, 8],),)
def over_filter_object(xs):
    out = []
    for x in filter(None, xs):
        out.append(x)
    return out


@legacy(("banana",), ("",))
def over_string(s):
    counts = {}
    for ch in s:
        counts[ch] = s.count(ch)
    return counts


# --- control flow ----------------------------------------------------------------------------------------------
@legacy(INTS, ([],), strategy="ints")
def with_continue(xs):
    out = []
    for x in xs:
        if x % 2:
            continue
        out.append(x)
    return out


@legacy((["1", "x", "3", "", "5"],), ([],))
def continue_inside_try(items):
    values = []
    for s in items:
        try:
            v = int(s)
        except ValueError:
            continue
        values.append(v)
    return values


@legacy(INTS, ([],))
def inner_loop_with_break(xs):
    firsts = []
    for x in xs:
        found = None
        for d in range(2, x + 1):
            if x % d == 0:
                found = d
                break
        firsts.append(found)
    return firsts


@legacy(INTS, ([],))
def inner_while(xs):
    steps = []
    for x in xs:
        n = x
        count = 0
        while n > 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            count += 1
        steps.append(count)
    return steps


@legacy(INTS, ([],))
def loop_inside_with(xs):
    out = []
    with contextlib.nullcontext():
        for x in xs:
            out.append(x + 1)
    return out


@legacy((INTS[0], True), (INTS[0], False), ([], True))
def loop_inside_if(xs, enabled):
    out = []
    if enabled:
        for x in xs:
            out.append(-x)
    else:
        out.append("disabled")
    return out


@legacy(INTS, ([],), ([0],))
def loop_inside_try(xs):
    out = []
    try:
        for x in xs:
            out.append(x * 2)
        ratio = len(out) / len(xs)
    except ZeroDivisionError:
        ratio = None
    return out, ratio


@legacy(INTS, ([],))
def for_else(xs):
    out = []
    for x in xs:
        out.append(x)
    else:
        out.append("done")
    return out


@legacy(([1, 2, 0, 4],), ([],), ([0],))
def try_around_loop_catches_body_error(xs):
    out = []
    try:
        for x in xs:
            out.append(10 / x)
    except ZeroDivisionError as e:
        out.append(str(e))
    return out


@legacy(([1, 2, 3],))
def for_else_reads_loop_variable(xs):
    out = []
    for x in xs:
        out.append(x)
    else:
        out.append(("last", x))
    return out


@legacy(([1, 2, 3, 4, 5],))
def continue_through_finally(xs):
    out = []
    for x in xs:
        try:
            if x % 2:
                continue
            out.append(x)
        finally:
            y = x * 10
    return out, y


def broken_source(n):
    yield from range(n)
    raise RuntimeError("source broke")


@legacy((20, []))
def iterable_raises_after_k_items(n, log):
    for x in broken_source(n):
        log.append(x)
    return log


@legacy(([1, 2], True), ([1, 2], False))
def accumulator_rebound_in_branch(xs, flag):
    total = 0
    if flag:
        total = 10
    for x in xs:
        total += x
    return total


@legacy(([1, 2, 3],), ([],))
def closure_after_loop_reads_last_value(xs):
    out = []
    y = None
    for x in xs:
        y = x * 2
        out.append(y)
    return out, (lambda: y)()  # noqa: PLC3002  (a closure over a name bound in the loop)


@legacy(INTS, ([],))
def with_statement_in_body(xs):
    out = []
    for x in xs:
        with contextlib.suppress(ZeroDivisionError):
            out.append(10 // (x - 1))
    return out


@legacy(INTS, ([],))
def walrus_in_body(xs):
    out = []
    for x in xs:
        if (y := x * x - 10) > 0:
            out.append(y)
    return out


@legacy(INTS, ([],))
def nested_def_in_body(xs):
    out = []
    for x in xs:
        def shift(v, x=x):
            return v + x

        out.append(shift(100))
    return out


# --- names read after the loop ---------------------------------------------------------------------------------
@legacy(INTS, ([7],), ([],))
def last_values_after_loop(xs):
    total = 0
    for i, x in enumerate(xs):
        y = x * 3
        total += y
    return total, i, x, y


@legacy(([1, -2, 3, -4, -5],), ([-1, -2],), ([],))
def conditionally_bound_last(xs):
    last_positive = None
    for x in xs:
        if x > 0:
            last_positive = x
    return last_positive


@legacy(([1, 2, 3],), ([],))
def loop_target_shadows_earlier_binding(xs):
    x = "before"
    out = []
    for x in xs:
        out.append(x)
    return out, x


@legacy(([1, 2, 3],), ([4, -1, 5],), ([-1, 2, -3],), ([-2],), ([],))
def deleted_in_some_iterations(xs):
    out = []
    for x in xs:
        scratch = x * 2
        if x < 0 or x == xs[-1]:
            del scratch  # e.g. freeing a large temporary; the last iteration's del leaves it unbound
        out.append(x)
    try:
        return out, scratch
    except UnboundLocalError:
        return out, "unbound"


@legacy(([1, 2, 3],), ([4],), ([],))
def deleted_as_a_tuple_and_bound_before_the_loop(xs):
    kept = "before"
    out = []
    for x in xs:
        a, b = x, -x
        if x == xs[-1]:
            del (a, b)
            del [kept]
        out.append(x)
    try:
        return out, a, b, kept
    except UnboundLocalError as exc:
        return out, str(exc).split("'")[1]


@legacy(([1, 2, 3],), ([],))
def deleted_then_bound_again(xs):
    out = []
    for x in xs:
        temp = x
        del temp
        temp = -x
        out.append(x)
    try:
        return out, temp
    except UnboundLocalError:
        return out, "unbound"


# --- parameters and exceptions ---------------------------------------------------------------------------------
@legacy((INTS[0],), (INTS[0], 3), ([], 1, 5))
def defaults_and_keywords(xs, scale=2, offset=0, *, power=1):
    out = []
    for x in xs:
        out.append((x * scale + offset) ** power)
    return out


@legacy((1, 2, 3), ())
def star_args(*values, **named):
    out = []
    for v in values:
        out.append(v + len(named))
    return out


@legacy((INTS[0], [], 3), (INTS[0], [], 0), (INTS[0], [], 99))
def raises_in_iteration_k(xs, log, k):
    for i, x in enumerate(xs):
        if i == k:
            raise ValueError(f"iteration {i} failed on {x}")
        log.append(x)
    return log


@legacy(([2, 1, 0, 4], {}), ([3], {}))
def zero_division_in_helper(xs, seen):
    for x in xs:
        seen[x] = 12 / x
    return seen


@legacy((["a", "b", "zz", "c"], {"a": 1, "b": 2, "c": 3}, []))
def key_error(keys, table, out):
    for k in keys:
        out.append(table[k])
    return out


@legacy(([1, 2, 3], "missing"), ([], "empty"))
def unbound_after_empty_loop(xs, label):
    for x in xs:
        last = x
    return label, last


# --- near misses of PAR102/PAR104/PAR108: accepted, and equal to the serial loop ---------------------------------
@legacy(([[3, 1, 2], [9, 7], [5]],), ([],))
def smallest_two_with_fresh_heaps(rows):
    out = []
    for row in rows:
        heap = list(row)  # a fresh heap per iteration: heapify and heappop change only it
        heapq.heapify(heap)
        first = heapq.heappop(heap)
        out.append((first, heapq.nsmallest(1, heap), bisect.bisect_left(sorted(row), first)))
    return out


@legacy(([[1, 2], [3], []],))
def bound_method_of_a_fresh_list(rows):
    out = []
    for row in rows:
        parts = []
        add = parts.append  # a bound method of this iteration's own list
        for value in row:
            add(value * 2)
        out.append(parts)
    return out


@dataclass
class Probe:
    value: int

    def check(self) -> bool:
        if self.value < 0:
            raise ValueError(self.value)
        return True

    def doubled(self) -> Probe:
        return Probe(self.value * 2)


@legacy(([Probe(1), Probe(5), Probe(2)],), ([Probe(3), Probe(-1)],))
def results_bound_or_collected(probes):
    out = []
    for p in probes:
        _ = p.check()  # bound on purpose: called for what it returns (or raises), not to change `p`
        out.append(p.doubled())
    return out


# --- proved patterns (issue 12): tail appends and own slices ---------------------------------------------------
GROUPED = ([[1, 2, 3], [], [4, 5], [6]],)


@legacy(GROUPED, ([],), ([[7]],))
def tail_append_groups(rows):
    res = []
    for row in rows:
        res.append([])
        for v in row:
            if v % 2:
                res[-1].append(v * 10)
    return res


@legacy(GROUPED, ([],))
def tail_append_after_initial_element(rows):
    res = [[]]
    for row in rows:
        res.append(list())  # noqa: C408  (the constructor form is part of what is proved)
        res[-1].extend(sorted(row, reverse=True))
        res[-1].append(len(row))
    return res


@legacy((["abcdef", "ab", "", "wxyz"],), ([],))
def tail_append_two_per_iteration(docs):
    res = list()  # noqa: C408  (the constructor form is part of what is proved)
    for doc in docs:
        res.append(["header"])
        res[-1].append(doc[:3])
        if len(doc) > 3:
            res.append([])
            res[-1].extend(doc[3:])
    return res


def _mixed_columns() -> tuple[Any, ...]:
    return (np.array([[1.0, 2.0, 0.5, 9.0], [3.0, -2.0, 0.25, 9.5], [0.0, 7.0, 8.0, 1e-3]]),)


@legacy(_mixed_columns, (np.arange(12.0).reshape(2, 6) ** 2,), (np.zeros((3, 0)),))
def own_column_standardize(X):
    for j in range(X.shape[1]):
        X[:, j] = (X[:, j] - X[:, j].mean()) / (X[:, j].std() + 1.0)
    return X


@legacy((np.arange(20.0).reshape(5, 4) - 7,), (np.zeros((4, 2)),))
def own_row_rescale(X):
    for j in range(1, len(X), 2):
        peak = np.max(X[j, :])
        X[j] = X[j] / peak if peak else X[j] * 0
    return X


@legacy(([[3, 1, 3], [], [2, 2, 5]],), ([[1.0, 2.0], [4.0, 0.0], [5.0]],))
def own_slot_inverses(rows):
    for i in range(len(rows)):
        rows[i] = [1 / v for v in sorted(set(rows[i]))] + [len(rows[i])]  # a 0 raises in that iteration
    return rows


# Issue 12: collections into the element under a key, replayed in the caller in iteration order.
@legacy(([(i % 3, i) for i in range(10)],), ([],), ([("a", 1)],))
def keyed_groups(pairs):
    groups = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value * 10)
    return dict(groups)


@legacy(WORDS, ([],))
def keyed_fixed_slots(words):
    table = {"short": [], "long": [], "letters": set()}
    for w in words:
        table["short" if len(w) < 5 else "long"].append(w)
        table["letters"].update(w)
    return table


# Issue 12: a store into the element under a key (scikit-learn's plot_outlier_detection_bench fills
# `y_score[model_name]["dataset"]`), replayed in the caller in iteration order like `acc[k].append(e)`.
@legacy(WORDS, ([],))
def keyed_nested_stores(words):
    stats = defaultdict(dict)
    for w in words:
        stats[w[:1]][w] = len(w)
        stats["all"][w] = w.upper()
    return dict(stats)


@legacy((3,), (0,), (1,))
def keyed_nested_board(n):
    board = [[0] * n for _ in range(n)]
    for i in range(n):
        board[i][i] = 1
    return board


# --- methods, closures -----------------------------------------------------------------------------------------
class Scaler:
    factor = 3

    def __init__(self, k):
        self.k = k
        self.__hidden = k + 1

    def scale_all(self, xs):
        out = []
        for x in xs:
            out.append(x * self.k + self.__hidden)
        return out

    def scale(self, x):
        return x * 2

    @staticmethod
    def static_squares(xs):
        out = {}
        for x in xs:
            out[x] = x * x
        return out

    @classmethod
    def class_scaled(cls, xs):
        total = 0
        for x in xs:
            total += x * cls.factor
        return total


class SuperScaler(Scaler):
    def scale(self, x):
        return x + 1

    def super_in_loop(self, xs):
        out = []
        for x in xs:
            out.append(super().scale(x))
        return out

    def super_before_loop(self, xs):
        base = super().scale(1)
        out = []
        for x in xs:
            out.append(x + base)
        return out


def make_closure(k, offset):
    def scaled(xs):
        out = []
        for x in xs:
            out.append(x * k + offset)
        return out

    return scaled


# --- several loops ---------------------------------------------------------------------------------------------
def two_loops(xs):
    running = 0
    prefix = []
    for x in xs:
        running += x
        prefix.append(running)
    squares = []
    for p in prefix:
        squares.append(p * p)
    return prefix, squares


def two_safe_loops(xs):
    first = []
    for x in xs:
        first.append(x + 1)
    second = 0
    for f in first:
        second += f
    return first, second


# --- seeds -----------------------------------------------------------------------------------------------------
def draw(i):
    return (i, float(parallelize.rng().random()), int(parallelize.rng().integers(1_000_000)))


def draws_in_loop(n):
    out = []
    for i in range(n):
        out.append((i, float(parallelize.rng().random()), int(parallelize.rng().integers(1_000_000))))
    return out


def iterator_of(values) -> Iterator[Any]:
    return iter(values)
