from parallelize import parallel_for


# loop=True says "loop mode", not which loop: with two top-level loops it is as ambiguous as the default.
@parallel_for(loop=True)
def normalise(rows):  # PAR205
    totals = []
    for row in rows:
        totals.append(sum(row))
    scaled = []
    for row, total in zip(rows, totals):
        scaled.append([v / total for v in row])
    return scaled
