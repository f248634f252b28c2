from parallelize import parallel_for


@parallel_for
def smooth(signal, out):
    for i in range(1, len(signal)):
        out[i - 1 : i + 1] = signal[i]
        out[0:2][0] = 0  # PAR101
    return out
