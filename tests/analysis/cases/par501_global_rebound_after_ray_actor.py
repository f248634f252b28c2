import ray

scale = 2


@ray.remote
class Scaler:
    def __init__(self):
        self.calls = 0

    def apply(self, x):
        self.calls += 1
        return x * scale


scaler = Scaler.remote()
scale = 10  # PAR501
print(ray.get(scaler.apply.remote(3)))
