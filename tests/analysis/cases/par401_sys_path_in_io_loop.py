import sys

from parallelize import io_bound


@io_bound
def fetch_all(urls, extra):
    out = []
    for url in urls:
        sys.path.append(extra)  # PAR401
        out.append(url)
    return out
