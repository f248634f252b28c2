"""PAR503: a list in a Pool's initargs appended to after the pool started, before pool.map."""

from multiprocessing import Pool

_table = None


def init(table):
    global _table
    _table = table


def lookup(i):
    return _table[i]


def main():
    table = [10, 20]
    pool = Pool(processes=2, initializer=init, initargs=(table,))
    table.append(30)  # PAR503: 5
    return pool.map(lookup, range(3))
