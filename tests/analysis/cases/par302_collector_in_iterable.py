from parallelize import parallel_for


@parallel_for
def crawl(queue):
    for url in queue:  # PAR302
        queue.append(url + "/next")
