from parallelize import parallel_for

REGISTRY = []


def register(x):
    REGISTRY.append(x)


@parallel_for
def load_all(paths):
    for p in paths:
        register(p)  # PAR105
