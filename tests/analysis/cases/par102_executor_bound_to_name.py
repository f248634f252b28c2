from concurrent.futures import ProcessPoolExecutor as PPE
from concurrent.futures import ThreadPoolExecutor as TPE

import concurrent.futures as cf

rows = []
names = []
totals = {}


def load(path):
    rows.extend(open(path).read().splitlines())  # PAR102


def label(x):
    names.insert(0, str(x))  # PAR102


def tally(key):
    totals.setdefault(key, 0)  # PAR102


def main(paths):
    ex = PPE()
    ex.submit(load, paths[0])
    with TPE(8) as tex:
        tex.map(label, paths)
    w = cf.ThreadPoolExecutor()
    w.submit(tally, "k")
