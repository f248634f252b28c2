results = []


def not_parallel(x):
    results.append(x)
    return x


for i in range(3):
    not_parallel(i)
