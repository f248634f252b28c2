from array import array
from collections import deque

from parallelize import parallel_for

window = deque(maxlen=3)
samples = array("d")


@parallel_for
def slide(items):
    for x in items:
        window.appendleft(x)  # PAR102
        window.rotate(1)  # PAR102
        samples.fromlist([x])  # PAR102
        samples.frombytes(b"\0" * 8)  # PAR102
