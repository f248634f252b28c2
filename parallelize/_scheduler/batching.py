"""Batch sizes: how many tasks travel to a worker together.

Tiny tasks drown in per-dispatch overhead (pickling, queueing, a context switch: ~0.1-1 ms on processes), so they
are sent in batches sized to take about ``TARGET_BATCH_SECONDS`` each. Per-task time is an exponentially weighted
average of what workers report (joblib's auto-batching idea). Batches are also capped so that every worker still
gets at least two batches of the remaining work, so the last batches finish together, but never below
``MIN_BATCH_SECONDS`` of work: below that, the tail's round trips would cost more than its imbalance.
"""

from __future__ import annotations

import math

#: A batch should take about this long. Long enough to amortise ~1 ms of dispatch overhead 50 times over;
#: short enough that progress bars move and the tail of a run stays balanced (benchmarks/bench_cpu.py).
TARGET_BATCH_SECONDS = 0.05
#: The smallest batch the end-of-input cap may cut to, in seconds of work: about ten dispatch round trips, so the
#: tail of 200,000 trivial tasks goes out in a few batches instead of dozens (benchmarks/bench_cpu.py, trivial row).
MIN_BATCH_SECONDS = 0.005
#: Upper bound on items per batch, so one pickled batch stays a few MB at most for small items.
MAX_BATCH = 50_000
#: Weight of the newest observation in the moving average.
SMOOTHING = 0.5


class BatchSizer:
    """Chooses the next batch size from observed per-task times (or a fixed size)."""

    def __init__(self, fixed: int | None, n_workers: int, per_task_seconds: float | None = None) -> None:
        self.fixed = fixed
        self.n_workers = max(1, n_workers)
        self.per_task = per_task_seconds

    def observe(self, n_tasks: int, seconds: float) -> None:
        """Record that a batch of ``n_tasks`` took ``seconds`` of worker time."""
        if n_tasks <= 0:
            return
        sample = max(seconds, 0.0) / n_tasks
        self.per_task = sample if self.per_task is None else SMOOTHING * sample + (1 - SMOOTHING) * self.per_task

    def next_size(self, remaining: int | None) -> int:
        """Items for the next batch, given how many remain (None when unknown)."""
        if self.fixed is not None:
            return self.fixed
        if self.per_task is None:
            return 1
        per_task = max(self.per_task, 1e-7)
        size = int(TARGET_BATCH_SECONDS / per_task)
        if remaining is not None:
            tail = max(math.ceil(remaining / (2 * self.n_workers)), int(MIN_BATCH_SECONDS / per_task))
            size = min(size, tail, remaining)
        return max(1, min(size, MAX_BATCH))
