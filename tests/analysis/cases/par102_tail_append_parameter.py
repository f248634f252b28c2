"""Refused: `res` is the caller's object (a parameter), not a list built here: `[-1]` is not known to be the
last append."""
from parallelize import parallel_for


@parallel_for
def into(res, rows):
    for row in rows:
        res.append([])
        res[-1].append(row)  # PAR102
    return res
