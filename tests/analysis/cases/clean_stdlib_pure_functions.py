import bisect
import heapq
import operator

from parallelize import parallel_for


@parallel_for
def summarise(rows, boundaries):
    out = []
    for row in rows:
        h = list(row)  # a fresh list: heapify changes only this iteration's copy
        heapq.heapify(h)
        smallest = heapq.heappop(h)
        top = heapq.nlargest(2, row)
        slot = bisect.bisect_left(boundaries, smallest)
        total = operator.add(smallest, slot)
        key = operator.itemgetter(0)(row)
        out.append((smallest, top, slot, total, key))
    return out
