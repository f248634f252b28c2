from parallelize import parallel_for


@parallel_for
def dump(items, log):
    write = log.write
    for x in items:
        write(f"{x}\n")  # PAR106: 9


@parallel_for
def dump_all(chunks, log):
    for chunk in chunks:
        list(map(log.write, chunk))  # PAR106: 18
