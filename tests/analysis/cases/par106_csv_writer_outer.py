import csv

from parallelize import parallel_for


@parallel_for
def export(rows, handle):
    writer = csv.writer(handle)
    for row in rows:
        writer.writerow(row)  # PAR106
