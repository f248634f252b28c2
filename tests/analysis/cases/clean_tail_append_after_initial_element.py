"""Accepted: the list starts with an element of its own (`[[]]`); each iteration appends its own and fills it."""
from parallelize import parallel_for


@parallel_for
def runs(batches):
    res = [[]]
    for batch in batches:
        res.append(list())
        res[-1].extend(sorted(batch))
        res[-1].append(len(batch))
    return res
