from parallelize import parallel_for


@parallel_for(loop=False)
def clean(df):
    df.dropna(inplace=True)  # PAR104
    return df
