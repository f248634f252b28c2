"""Accepted: several fresh appends per iteration; `res[-1]` is always the one this iteration appended last."""
from parallelize import parallel_for


@parallel_for
def header_and_body(docs):
    res = list()
    for doc in docs:
        res.append(["header"])
        res[-1].append(doc[:3])
        if len(doc) > 3:
            res.append([])
            res[-1].extend(doc[3:])
    return res
