from concurrent.futures import ProcessPoolExecutor, as_completed


def square(x):
    return x * x


def run(xs):
    results = []
    with ProcessPoolExecutor() as pool:
        futures = [pool.submit(square, x) for x in xs]
        for fut in as_completed(futures):
            results.append(fut.result())
    return results
