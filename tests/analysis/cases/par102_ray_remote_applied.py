import ray
from ray import remote as as_task

log = []
index = {}
done = set()


def record(x):
    log.append(x)  # PAR102
    return x


def register(key, value):
    index.update({key: value})  # PAR102


def finish(x):
    done.add(x)  # PAR102


record_remote = ray.remote(record)
register_remote = ray.remote(num_returns=1)(register)
finish_remote = as_task(finish)
ray.get([record_remote.remote(1), register_remote.remote("k", 2), finish_remote.remote(3)])
