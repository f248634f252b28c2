"""Issue 12: a keyed collection (`acc[k].append(e)`) is accepted only on an accumulator that no other form changes
and the body does not read: an element put in by `res.append(bucket)` would be the worker's copy (PAR102), and
reading the accumulator is a loop-carried dependency (PAR302). `res[-1].append(e)` stays the tail-append
pattern's (see par102_tail_append_*)."""
from collections import defaultdict

from parallelize import parallel_for


@parallel_for
def element_put_in_by_another_form(rows):
    bucket = []
    res = {}
    for key, row in rows:
        res[key] = bucket
        res[key].append(row)  # PAR102
    return res, bucket


@parallel_for
def reads_what_it_collects(pairs):
    groups = defaultdict(list)
    for key, value in pairs:
        groups[key].append(len(groups[key]) + value)  # PAR302
    return groups
