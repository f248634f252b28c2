from p_tqdm import p_map, p_umap
from tqdm.contrib.concurrent import process_map, thread_map

found = []


def keep(x):
    found.append(x)  # PAR102


def keep_too(x):
    found.extend([x])  # PAR102


def keep_thread(x):
    found.insert(0, x)  # PAR102


def keep_u(x):
    found.remove(x)  # PAR102


p_map(keep, range(4))
process_map(keep_too, range(4))
thread_map(keep_thread, range(4))
p_umap(keep_u, range(4))
