from parallelize import parallel_for


@parallel_for
def stats(xs):
    total = 0
    prod = 1
    best = float("-inf")
    worst = float("inf")
    bits = 0
    for x in xs:
        total += x
        prod *= x
        best = max(best, x)
        worst = min(x, worst)
        bits |= x
    return total, prod, best, worst, bits
