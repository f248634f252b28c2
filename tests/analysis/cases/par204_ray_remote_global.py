import ray

calls = 0
best = None


@ray.remote
def count(x):
    global calls
    calls += 1  # PAR204
    return x


@ray.remote(num_cpus=2)
def keep_best(score):
    global best
    best = score  # PAR204
    return score


futures = [count.remote(i) for i in range(4)] + [keep_best.remote(s) for s in (0.1, 0.2)]
ray.get(futures)
