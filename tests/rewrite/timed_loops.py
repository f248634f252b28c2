"""Loops whose iterations take a given time: where loop mode runs them (caller or worker) shows in the result."""

from __future__ import annotations

import os
import time

import numpy as np
from threadpoolctl import threadpool_info


def pid_per_item(durations):
    pids = []
    for seconds in durations:
        if seconds:
            time.sleep(seconds)
        pids.append(os.getpid())
    return pids


def blas_threads_per_item(durations):
    seen = []
    for seconds in durations:
        if seconds:
            time.sleep(seconds)
        np.dot(np.ones(4), np.ones(4))  # loads BLAS where the iteration runs
        seen.append(max([lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] or [0]))
    return seen
