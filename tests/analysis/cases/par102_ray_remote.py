import ray

events = []


@ray.remote
def handle(e):
    events.extend([e])  # PAR102
