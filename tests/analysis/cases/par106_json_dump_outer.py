import json

from parallelize import parallel_for


@parallel_for
def dump_all(records, fh):
    for rec in records:
        json.dump(rec, fh)  # PAR106
