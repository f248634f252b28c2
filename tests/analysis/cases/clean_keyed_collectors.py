"""Issue 12: collecting into the element under a key of an accumulator bound before the loop
(`groups[k].append(v)`, `scores[name].extend(vs)`, `seen[k].add(v)`, `stats[k].update(d)`) is replayed in the
caller in iteration order, with the key and the value computed in the iteration: `groups[k]` is the caller's
element (a defaultdict makes it there), so the accumulator ends as the serial loop leaves it."""
from collections import defaultdict

from parallelize import parallel_for


@parallel_for
def group_by_key(pairs):
    groups = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value * 10)
    return groups


@parallel_for
def scores_per_metric(metrics, y_true, y_pred):
    scores = {"name": [], "value": []}
    for name, metric in metrics:
        scores["name"].append(name)
        scores["value"].append(metric(y_true, y_pred))
    return scores


@parallel_for
def several_methods(rows):
    seen = defaultdict(set)
    stats = defaultdict(dict)
    spans = defaultdict(list)
    for key, value in rows:
        seen[key].add(value)
        stats[key].update({value: value**2})
        spans[key].extend([value, -value])
    return seen, stats, spans
