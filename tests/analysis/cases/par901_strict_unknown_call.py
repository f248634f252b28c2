from augment import augment

from parallelize import parallel_for


@parallel_for
def run(batches, images):
    for batch in batches:
        augment(images, batch)  # PAR109 PAR901
