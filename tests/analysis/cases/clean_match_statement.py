from parallelize import parallel_for


@parallel_for
def kinds(values):
    out = []
    for v in values:
        match v:
            case int():
                out.append("int")
            case _:
                out.append("other")
    return out
