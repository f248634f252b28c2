from multiprocessing import Manager, Pool

manager = Manager()
counts = manager.dict()


def tally(word):
    counts[word] += 1  # PAR402


with Pool() as pool:
    pool.map(tally, ["a", "b", "a"])
