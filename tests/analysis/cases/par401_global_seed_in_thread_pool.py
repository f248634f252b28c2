import random
from concurrent.futures import ThreadPoolExecutor


def simulate(seed):
    random.seed(seed)  # PAR401
    return random.random()


with ThreadPoolExecutor(4) as executor:
    executor.map(simulate, range(4))
