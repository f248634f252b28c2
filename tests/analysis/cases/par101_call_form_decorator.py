from parallelize import io_bound, parallel_for

CACHE = {}


def task(x):
    CACHE[x] = x  # PAR101
    return x


def direct(x):
    CACHE[x] = -x  # PAR101
    return x


def fill(keys):
    for k in keys:
        CACHE[k] = 0  # PAR101


async def fetch(url, pages):
    pages.append(url)  # coroutines on one event loop: the caller sees it


run = parallel_for(loop=False)(task)
run_direct = parallel_for(direct)
run_fill = io_bound(max_concurrency=4)(fill)
run_fetch = io_bound(fetch)
