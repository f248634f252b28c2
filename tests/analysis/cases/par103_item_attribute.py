from parallelize import parallel_for


@parallel_for
def mark(nodes):
    for node in nodes:
        node.visited = True  # PAR103
