from multiprocessing import Manager, Process


def count(tally, word):
    tally[word] += 1  # PAR402


if __name__ == "__main__":
    tally = Manager().dict(a=0)
    jobs = [Process(target=count, args=(tally, "a")) for _ in range(4)]
