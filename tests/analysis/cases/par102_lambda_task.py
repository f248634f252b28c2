from concurrent.futures import ThreadPoolExecutor

out = []
with ThreadPoolExecutor() as executor:
    executor.map(lambda x: out.append(x), range(3))  # PAR102
