from parallelize import parallel_for


@parallel_for
def concat(parts):
    text = ""
    for part in parts:
        text = text + part
    return text
