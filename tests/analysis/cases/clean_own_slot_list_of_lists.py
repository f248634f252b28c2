"""Accepted: a list's own element, read and replaced from itself only (`rows[i] = f(rows[i])`)."""
from parallelize import parallel_for


@parallel_for
def dedupe_rows(rows):
    for i in range(len(rows)):
        seen = sorted(set(rows[i]))
        rows[i] = seen + [len(rows[i])]
    return rows
