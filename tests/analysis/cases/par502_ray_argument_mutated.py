"""PAR502: ray serialises a task's arguments at `.remote()`: a later change before `ray.get` is not seen."""

import ray


@ray.remote
def total(values, cfg):
    return sum(values) * cfg.scale


class Config:
    scale = 1


def run(values):
    cfg = Config()
    ref = total.remote(values, cfg)
    cfg.scale = 10  # PAR502: 5
    values.extend([1, 2])  # PAR502: 5
    return ray.get(ref)
