"""PAR503: `with Pool(...)`: the initializer reads module globals that change after the pool started."""

import multiprocessing

VOCAB = ["a", "b"]
LIMIT = 10
_state = {}


def setup():
    _state["vocab"] = list(VOCAB)
    _state["limit"] = LIMIT


def encode(word):
    return _state["vocab"].index(word) if word in _state["vocab"] else -1


def main(words):
    global LIMIT
    with multiprocessing.Pool(2, initializer=setup) as pool:
        VOCAB.append("c")  # PAR503: 9
        LIMIT = 20  # PAR503: 9
        return pool.map(encode, words)
