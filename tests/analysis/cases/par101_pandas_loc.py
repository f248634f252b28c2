from parallelize import parallel_for


@parallel_for
def label(df, ids):
    for i in ids:
        df.loc[i, "label"] = i % 2  # PAR101
