from parallelize import parallel_for


@parallel_for(loop=False)
def per_item(item):
    total = 0
    prev = 0
    for v in item:
        total += v - prev
        prev = v
    return total
