from parallelize import parallel_for


@parallel_for
def report(rows, out):
    for row in rows:
        print(row, file=out)  # PAR106
