import multiprocessing as mp
from multiprocessing import Pool as P
from multiprocessing import Process as Proc
from threading import Thread as T

table = {}
grid = [[0] * 4 for _ in range(4)]
flags = [False] * 4


def fill(x):
    table[x] = x * x  # PAR101


def paint(x):
    grid[0][x] = 1  # PAR101


def mark(i):
    flags[0] = True  # PAR101


def mark_too(i):
    flags[1] = True  # PAR101


if __name__ == "__main__":
    with mp.Pool() as pool:
        pool.map(fill, range(4))
    with P(2) as w:
        w.imap_unordered(paint, range(4))
    Proc(target=mark, args=(0,)).start()
    T(target=mark_too, args=(1,)).start()
