import concurrent.futures as cf
from concurrent import futures

seen = []
logged = set()


def work(x):
    seen.append(x)  # PAR102
    return x


def note(x):
    logged.add(x)  # PAR102


cf.ProcessPoolExecutor().submit(work, 1)
with futures.ThreadPoolExecutor(max_workers=4) as ex:
    ex.map(note, range(8))
