from parallelize import parallel_for


@parallel_for
def number(items):
    results = []
    for item in items:
        results.append((len(results), item))  # PAR302
    return results
