from parallelize import parallel_for


@parallel_for(loop=False)
def permute(seed, deck, rng):
    rng.shuffle(deck)  # PAR104
    return deck[0]
