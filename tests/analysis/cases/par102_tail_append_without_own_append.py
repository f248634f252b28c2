"""Refused: no iteration appends its own element, so every iteration fills the same `res[-1]` (issue 12)."""
from parallelize import parallel_for


@parallel_for
def flatten(rows):
    res = [[]]
    for row in rows:
        res[-1].append(sum(row))  # PAR102
    return res
