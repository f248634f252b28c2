"""Refused: another name holds the list, so `res[-1]` is not provably this iteration's element."""
from parallelize import parallel_for


@parallel_for
def tagged(rows, log):
    res = []
    log.append(res)
    for row in rows:
        res.append([])
        res[-1].append(row)  # PAR102
    return res
