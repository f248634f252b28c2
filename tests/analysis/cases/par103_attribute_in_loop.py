from parallelize import parallel_for


@parallel_for
def train(model, batches):
    for batch in batches:
        model.last_batch = batch  # PAR103
