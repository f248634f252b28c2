from parallelize import parallel_for


def tally(counts, word):
    counts[word] = counts.get(word, 0) + 1


@parallel_for(loop=False)
def count(words, counts):
    for w in words:
        tally(counts, w)  # PAR105
