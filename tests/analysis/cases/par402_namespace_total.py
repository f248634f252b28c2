from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Manager

ns = Manager().Namespace()
ns.total = 0


def add(x):
    ns.total += x  # PAR402


with ProcessPoolExecutor() as ex:
    list(ex.map(add, range(10)))
