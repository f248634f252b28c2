from concurrent.futures import ThreadPoolExecutor

_table = {}


def lookup(key):
    global _table
    if not _table:
        _table = {k: k * k for k in range(100)}  # PAR902
    return _table[key]


with ThreadPoolExecutor() as ex:
    list(ex.map(lookup, range(4)))
