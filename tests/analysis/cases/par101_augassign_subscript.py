from parallelize import parallel_for


@parallel_for
def histogram(words):
    counts = {}
    for word in words:
        counts[word] += 1  # PAR101
    return counts
