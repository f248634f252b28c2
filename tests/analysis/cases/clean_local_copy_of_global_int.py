from concurrent.futures import ThreadPoolExecutor

base = 10
scale = 2.5
label = "run"


def shifted(x):
    n = base
    n += x
    s = scale
    s *= x
    name = label
    name += str(x)
    return n, s, name


with ThreadPoolExecutor() as ex:
    list(ex.map(shifted, range(3)))
