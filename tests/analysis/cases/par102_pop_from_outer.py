from parallelize import parallel_for


@parallel_for
def drain(n, queue_list):
    out = []
    for _ in range(n):
        out.append(queue_list.pop())  # PAR102
    return out
