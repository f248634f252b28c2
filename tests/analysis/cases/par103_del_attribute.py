from parallelize import parallel_for


@parallel_for
def clean(objs, holder):
    for obj in objs:
        del holder.current  # PAR103
