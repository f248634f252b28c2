from parallelize import parallel_for


@parallel_for(loop=False)
def lookup(key):
    with open("table.csv") as f:
        return key in f.read()
