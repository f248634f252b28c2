from parallelize import parallel_for


@parallel_for
def total_len(words):
    total = 0
    for w in words:
        total += len(w)
    return total
