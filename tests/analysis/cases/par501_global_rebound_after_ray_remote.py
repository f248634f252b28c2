"""PAR501: a ray task reads a global that is rebound after `.remote()`, before `ray.get`."""

import ray

MODEL_VERSION = "v1"


@ray.remote
def predict(x):
    return (MODEL_VERSION, x)


def run(xs):
    global MODEL_VERSION
    refs = [predict.remote(x) for x in xs]
    MODEL_VERSION = "v2"  # PAR501: 5
    return ray.get(refs)
