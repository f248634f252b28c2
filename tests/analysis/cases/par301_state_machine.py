from parallelize import parallel_for


@parallel_for
def segment(tokens):
    labels = []
    state = "start"
    for tok in tokens:
        if state == "start" and tok == "(":  # PAR301
            state = "open"
        labels.append(tok)
    return labels
