from multiprocessing import Manager, Pool

manager = Manager()
seen = manager.list()
state = manager.Namespace()
table = Manager().dict()


def work(x):
    seen.append(x)
    state.last = x
    table[x] = x * x


with Pool() as pool:
    pool.map(work, range(4))
