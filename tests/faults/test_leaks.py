"""1,000 consecutive .map calls leak neither file descriptors, threads, processes nor memory."""

from __future__ import annotations

import gc
import threading

import psutil
import pytest
import tasks

from parallelize import io_bound, parallel_for


def _snapshot() -> tuple[int, int, int, int]:
    gc.collect()
    me = psutil.Process()
    return (me.num_fds(), threading.active_count(), len(me.children(recursive=True)), me.memory_info().rss)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["loky", "threads"])
def test_thousand_maps_leak_nothing(kind: str) -> None:
    if kind == "loky":
        f = parallel_for(n_jobs=2, batch_size=2)(tasks.square)
    else:
        f = io_bound(max_concurrency=4)(tasks.square)
    for _ in range(20):  # warm up: pools, caches, lazy imports
        f.map(range(8))
    fds, threads, children, rss = _snapshot()
    for _ in range(1000):
        assert f.map(range(8)) == [x * x for x in range(8)]
    fds2, threads2, children2, rss2 = _snapshot()
    assert fds2 <= fds + 2
    assert threads2 <= threads + 1
    assert children2 <= children
    assert rss2 - rss < 30 * 2**20
