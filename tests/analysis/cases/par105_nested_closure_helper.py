from parallelize import parallel_for


@parallel_for
def unique(items):
    freq = {}

    def bump(x):
        freq[x] = freq.get(x, 0) + 1

    for item in items:
        bump(item)  # PAR105
    return freq
