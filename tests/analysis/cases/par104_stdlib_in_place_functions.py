import bisect as bs
import heapq
import operator
import struct
from heapq import heappop as pop_smallest

from parallelize import parallel_for


@parallel_for
def heaps(items, heap):
    h = []
    for x in items:
        heapq.heappush(h, -x)  # PAR104: 9
        heapq.heapify(heap)  # PAR104
        heapq.heappushpop(heap, x)  # PAR104
        heapq.heapreplace(heap, x)  # PAR104
        pop_smallest(heap)  # PAR104
    return h


@parallel_for
def sorted_insert(items):
    out = []
    for x in items:
        bs.insort(out, -x)  # PAR104
        bs.insort_left(out, x)  # PAR104
    return out


@parallel_for
def operators(items, counts):
    out = [0] * 6
    for x in items:
        operator.setitem(out, x, x * 10)  # PAR104: 9
        operator.delitem(counts, x)  # PAR104
        operator.iadd(counts, [x])  # PAR104
        operator.__setitem__(counts, x, 0)  # PAR104
    return out


@parallel_for(loop=False)
def pack(x, buffer, stream):
    struct.pack_into("i", buffer, 0, x)  # PAR104
    stream.readinto(buffer)  # PAR104
    return x
