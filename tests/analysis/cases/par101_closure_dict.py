from concurrent.futures import ProcessPoolExecutor


def run(paths):
    sizes = {}

    def measure(path):
        sizes[path] = len(path)  # PAR101

    with ProcessPoolExecutor() as pool:
        list(pool.map(measure, paths))
    return sizes
