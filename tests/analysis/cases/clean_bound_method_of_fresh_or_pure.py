from multiprocessing import Queue

from parallelize import parallel_for

q = Queue()
put = q.put  # a queue is meant to be shared between workers


@parallel_for
def run(rows, table, weights):
    lookup = table.get  # a bound method that does not mutate
    out = []
    for row in rows:
        parts = []
        add = parts.append  # a bound method of a list made in this iteration
        for value in row:
            add(lookup(value, 0))
        list(map(parts.extend, [[1], [2]]))
        ranked = sorted(parts, key=weights.__getitem__)
        put(len(ranked))
        out.append(ranked)
    return out
