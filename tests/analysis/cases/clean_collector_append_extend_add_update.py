from parallelize import parallel_for


@parallel_for
def gather(items):
    a, b, c, d = [], [], set(), {}
    for item in items:
        a.append(item)
        b.extend([item, item])
        c.add(item)
        d.update({item: 1})
    return a, b, c, d
