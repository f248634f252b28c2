"""Refused: the own append is conditional, so `res[-1]` may be an earlier iteration's list."""
from parallelize import parallel_for


@parallel_for
def paragraphs(lines):
    res = [[]]
    for line in lines:
        if not line:
            res.append([])
        res[-1].append(line)  # PAR102
    return res
