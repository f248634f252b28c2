from parallelize import parallel_for


@parallel_for
def apply(params, config):
    for name, value in params.items():
        setattr(config, name, value)  # PAR107
