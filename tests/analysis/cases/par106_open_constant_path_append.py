from parallelize import parallel_for


@parallel_for(loop=False)
def record(x):
    with open("results.txt", "a") as f:  # PAR106
        f.write(str(x))
