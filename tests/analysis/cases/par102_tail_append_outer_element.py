"""Refused: the appended element is an outer list, which every iteration would fill (not a fresh one)."""
from parallelize import parallel_for


@parallel_for
def shared_bucket(rows):
    bucket = []
    res = []
    for row in rows:
        res.append(bucket)
        res[-1].append(row)  # PAR102
    return res, bucket
