"""ray tasks that return their results, and an actor that keeps its own state."""

import ray


@ray.remote
def square(x):
    parts = []
    parts.append(x)
    return x * x


@ray.remote(num_cpus=1)
def summarize(rows):
    counts = {}
    for row in rows:
        counts[row] = counts.get(row, 0) + 1
    return counts


def merge(a, b):
    return {**a, **b}


@ray.remote
class Counter:
    """An actor: its methods run in the actor's own process, one at a time, on its own state."""

    def __init__(self):
        self.n = 0

    def incr(self):
        self.n += 1
        return self.n


merge_remote = ray.remote(merge)
squares = ray.get([square.remote(i) for i in range(4)])
counter = Counter.remote()
ray.get([counter.incr.remote() for _ in range(3)])
results = []
for ref in [summarize.remote(["a", "b"]), merge_remote.remote({}, {"a": 1})]:
    results.append(ray.get(ref))
