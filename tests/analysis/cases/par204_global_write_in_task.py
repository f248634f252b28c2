from parallelize import parallel_for

processed = 0


@parallel_for(loop=False)
def handle(item):
    global processed
    processed += 1  # PAR204
    return item
