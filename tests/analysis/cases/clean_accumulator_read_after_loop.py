from parallelize import parallel_for


@parallel_for
def dedupe(events):
    seen = set()
    for e in events:
        seen.add(e)
    return sorted(seen)
