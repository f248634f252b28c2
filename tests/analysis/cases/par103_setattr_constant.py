from parallelize import parallel_for


@parallel_for(loop=False)
def configure(value, config):
    setattr(config, "value", value)  # PAR103
