"""Loops that loop mode must refuse at decoration (issue 3), annotated like the checker's case files.

A line that must be reported ends with ``# PAR101`` (several codes: ``# PAR101, PAR302``). Every function here
is undecorated; ``test_refusals.py`` decorates each with ``parallel_for`` and expects ``SharedStateError`` with
exactly the annotated codes and lines. ``OPTIONS`` gives decorator options where a function needs them.
"""

from __future__ import annotations

import bisect
import heapq
import operator
import random

import numpy as np

from parallelize import parallel_for  # noqa: F401  (test_refusals decorates a copy of this file's text)

SCALE = {"factor": 2}
counter = 0


# --- mutation of outer objects other than the collection forms -------------------------------------------------
def augmented_subscript(keys, counts):
    for k in keys:
        counts[k] += 1  # PAR101


def slice_write(rows, table):
    for i, row in enumerate(rows):
        table[i][0] = row  # PAR101


def delete_item(keys, cache):
    for k in keys:
        del cache[k]  # PAR101


def mutating_method(xs):
    out = []
    for x in xs:
        out.insert(0, x)  # PAR102
    return out


def sort_inside(xs):
    out = []
    for x in xs:
        out.append(x)
        out.sort()  # PAR102
    return out


def pop_from_outer(xs, queue):
    for _ in xs:
        queue.pop()  # PAR102


def attribute_write(items, stats):
    for item in items:
        stats.last = item  # PAR103


def numpy_out_argument(blocks, out):
    for i, block in enumerate(blocks):
        np.multiply(block, 2, out=out[i])  # PAR104


def shuffle_shared(data, n):
    means = []
    for _ in range(n):
        random.shuffle(data)  # PAR104
        means.append(sum(data[:3]))
    return means


def module_dict_write(keys):
    for k in keys:
        SCALE[k] = 1  # PAR101


# --- control flow that cannot be split ---------------------------------------------------------------------------
def global_statement(xs):
    global counter
    for x in xs:
        counter = counter + x  # PAR204


def nonlocal_write_in_loop(xs):
    seen = 0

    def scan():
        nonlocal seen
        for x in xs:
            seen = x  # PAR204

    return scan


def with_break(xs):
    found = []
    for x in xs:
        if x < 0:
            break  # PAR201
        found.append(x)
    return found


def with_return(paths):
    for p in paths:
        if p.endswith(".bad"):
            return p  # PAR202
    return None


def with_yield(rows):
    for row in rows:
        yield row * 2  # PAR203


# --- loop-carried dependencies ---------------------------------------------------------------------------------
def running_total(xs):
    total = 0
    running = []
    for x in xs:
        total += x
        running.append(total)  # PAR302
    return running


def seen_set(items):
    seen = set()
    firsts = []
    for item in items:
        if item not in seen:  # PAR302
            seen.add(item)
            firsts.append(item)
    return firsts


def previous_item(series):
    out = []
    prev = None
    for x in series:
        if prev is not None:  # PAR301
            out.append(x - prev)  # PAR301
        prev = x
    return out


def reduction_read_in_body(costs):
    spent = 0
    kept = []
    for c in costs:
        if spent + c < 100:  # PAR302
            kept.append(c)
        spent += c
    return kept


def collector_length_read(xs):
    out = []
    for x in xs:
        out.append(x + len(out))  # PAR302
    return out


def mixed_reduction_operators(xs):
    acc = 0
    for x in xs:
        acc += x
        acc *= 2  # PAR303
    return acc


def conditionally_bound_accumulator(steps, keep):
    if keep:
        hist = []
    for step in steps:
        hist.append(step)  # PAR304
    return steps


# --- loop selection ----------------------------------------------------------------------------------------------
def several_loops(paths):  # PAR205
    checked = []
    for p in paths:
        checked.append(p)
    loaded = []
    for p in checked:
        loaded.append(p)
    return loaded


def several_loops_in_branches(xs, fast):  # PAR205
    out = []
    if fast:
        for x in xs:
            out.append(x)
    else:
        for x in reversed(xs):
            out.append(x)
    return out


class Counter:
    def __init__(self):
        self.total = 0

    def add_all(self, xs):
        for x in xs:
            self.total = x  # PAR103


# --- near misses of the proved patterns (issue 12): they stay refused -------------------------------------------
def tail_append_without_own_append(rows):
    res = [[]]
    for row in rows:
        res[-1].append(sum(row))  # PAR102
    return res


def tail_append_before_own_append(rows):
    res = [[]]
    for row in rows:
        res[-1].append(len(row))  # PAR102
        res.append([])
    return res


def own_column_reads_neighbour(X):
    for j in range(1, X.shape[1]):  # PAR302
        X[:, j] = X[:, j] + X[:, j - 1]  # PAR302, PAR302
    return X


def own_column_from_a_list_of_indices(X, columns):
    for j in columns:  # the same column may come twice: not provably distinct
        X[:, j] = X[:, j] * 2  # PAR302
    return X


def refit_outer_estimator(model, grid, X, y):
    scores = []
    for params in grid:
        model.set_params(**params)  # PAR108
        model.fit(X, y)  # PAR108
        scores.append(model.score(X, y))
    return scores


#: Functions above that need decorator options (name -> options).
OPTIONS: dict[str, dict[str, object]] = {}


# --- late binding: lambdas collected from the body (regression, issue 3) ----------------------------------------
def collect_late_binding_lambdas(xs):
    fns = []
    for x in xs:
        fns.append(lambda: x)  # PAR305
    return [f() for f in fns]


# --- bound methods taken as values, stdlib in-place functions, calls made for their side effect -----------------
def bound_method_alias(xs):
    out = []
    add = out.append
    for x in xs:
        add(x)  # PAR102
    return out


def bound_method_passed_to_map(xs):
    out = []
    for x in xs:
        list(map(out.append, [x]))  # PAR102
    return out


def heap_push_into_outer(xs):
    heap = []
    for x in xs:
        heapq.heappush(heap, -x)  # PAR104
    return heap


def operator_setitem_into_outer(xs):
    out = [0] * len(xs)
    for i, x in enumerate(xs):
        operator.setitem(out, i, x * 10)  # PAR104
    return out


def insort_into_outer(xs):
    out = []
    for x in xs:
        bisect.insort(out, -x)  # PAR104
    return out


def fit_each_item(models, X, y):
    for m in models:
        m.fit(X, y)  # PAR108
    return models


def _fit(model, X, y):
    model.fit(X, y)


def fit_each_item_through_helper(models, X, y):
    for m in models:
        _fit(m, X, y)  # PAR108
    return models
