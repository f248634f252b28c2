import os

from parallelize import io_bound


@io_bound
def download(job):
    os.chdir(job.folder)  # PAR401
    return job.url
