from parallelize import parallel_for


@parallel_for
def parse(lines):
    out = []
    for line in lines:
        try:
            value = int(line)
        except ValueError:
            continue
        out.append(value)
    return out
