from concurrent.futures import ProcessPoolExecutor

from tqdm import tqdm

bar = tqdm(total=10)


def step(i):
    bar.update(1)  # PAR102
    return i


with ProcessPoolExecutor() as executor:
    futures = [executor.submit(step, i) for i in range(10)]
