from parallelize import parallel_for


@parallel_for
def tag(records):
    for record in records:
        record["seen"] = True  # PAR101
