from multiprocessing import Pool

seen = set()


def visit(url):
    seen.add(url)  # PAR102
    return url


with Pool(4) as pool:
    pool.map(visit, ["a", "b"])
