"""Sample sources shared by the checker tests."""

from __future__ import annotations

UNSAFE = '''from parallelize import parallel_for


@parallel_for
def fill(items):
    out = {}
    for item in items:
        out[item]["x"] += 1
    return out
'''
SAFE = '''from parallelize import parallel_for


@parallel_for
def fill(items):
    out = {}
    for item in items:
        out[item] = 1
    return out
'''
