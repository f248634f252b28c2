from parallelize import parallel_for


@parallel_for(loop=False)
def normalise(row, totals):
    totals[row["id"]] = sum(row["values"])  # PAR101
    return row
