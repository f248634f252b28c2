from parallelize import parallel_for


@parallel_for
def save(items, path):
    for item in items:
        with open(path, "w") as f:  # PAR106
            f.write(item)
