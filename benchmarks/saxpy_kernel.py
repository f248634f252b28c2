"""The scalar saxpy function that ``bench_gpu.py`` compiles, in a module of its own so that the fresh processes
timing first calls can import it."""


def saxpy(a, x, y):
    return a * x + y
