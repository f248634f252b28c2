import multiprocessing as mp

results = mp.JoinableQueue()
parent_end, child_end = mp.Pipe()
box = mp.SimpleQueue()


def work(x):
    results.put(x)
    box.put(x + 1)


procs = [mp.Process(target=work, args=(i,)) for i in range(4)]
