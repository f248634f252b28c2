from parallelize import parallel_for


@parallel_for
def budget(costs):
    spent = 0
    kept = []
    for c in costs:
        if spent + c < 100:  # PAR302
            kept.append(c)
        spent += c
    return kept
