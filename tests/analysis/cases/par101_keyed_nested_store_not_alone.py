"""Refused (issue 12): a store into the element under a key where the element may be held by another name (the
caller's object, an alias, an element built from an outer object, rows that are one list), or that the loop also
puts in, reads or stores deeper: the element would be a worker's copy, or the iteration depends on earlier ones."""
from parallelize import parallel_for


@parallel_for
def element_put_in(words):
    table = {}
    for w in words:
        table[w] = {}
        table[w]["n"] = len(w)  # PAR101
    return table


@parallel_for
def element_read(words):
    counts = {"all": {}}
    for w in words:
        counts["all"][w] = counts["all"].get(w, 0) + 1  # PAR302
    return counts


@parallel_for
def deeper(rows, keys):
    for k in keys:
        rows[0][k][0] = k  # PAR101
    return rows


@parallel_for
def into_argument(board, n):
    for i in range(n):
        board[i][i] = 1  # PAR101
    return board


@parallel_for
def element_held_elsewhere(words):
    shared = {}
    table = {"a": shared}
    for w in words:
        table["a"][w] = len(shared)  # PAR101
    return table


@parallel_for
def aliased_before(words):
    table = {"a": {}}
    first = table["a"]
    for w in words:
        table["a"][w] = len(first)  # PAR101
    return table


@parallel_for
def one_row_three_times(n):
    board = [[0] * n] * n
    for i in range(n):
        board[i][i] = 1  # PAR101
    return board


@parallel_for
def read_by_a_closure(words):
    table = {"a": {}}
    size = lambda: len(table["a"])  # noqa: E731
    for w in words:
        table["a"][w] = size()  # PAR101
    return table
