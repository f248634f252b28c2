from parallelize import parallel_for


@parallel_for
def join_all(parts):
    text = ""
    for part in parts:
        text = part + text  # PAR301
    return text
