"""Accepted: `res[-1]` is the list this iteration appended to `res`, created before any tail append (issue 12)."""
from parallelize import parallel_for


@parallel_for
def doubled_groups(rows):
    res = []
    for row in rows:
        res.append([])
        for v in row:
            if v % 2:
                res[-1].append(v * 2)
    return res
