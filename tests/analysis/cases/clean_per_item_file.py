from parallelize import parallel_for


@parallel_for
def save(items):
    for item in items:
        with open(f"out_{item}.txt", "w") as f:
            f.write(str(item))
