import os

from parallelize import parallel_for


@parallel_for(loop=False)
def work(job):
    os.environ["OMP_NUM_THREADS"] = "1"
    return job
