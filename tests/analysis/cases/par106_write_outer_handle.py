from parallelize import parallel_for


@parallel_for
def summarise(paths, log):
    for path in paths:
        log.write(path)  # PAR106
