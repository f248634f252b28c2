"""Batch sizing is pure: fixed sizes stay fixed, auto sizes follow measured task times."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parallelize._scheduler.batching import MAX_BATCH, MIN_BATCH_SECONDS, TARGET_BATCH_SECONDS, BatchSizer


def test_fixed_batch_size_is_used_as_given() -> None:
    sizer = BatchSizer(7, 2)
    sizer.observe(7, 100.0)
    assert sizer.next_size(1000) == 7


def test_auto_starts_with_one_task_until_it_has_measured() -> None:
    assert BatchSizer(None, 4).next_size(None) == 1


def test_auto_grows_batches_of_tiny_tasks_towards_the_target_duration() -> None:
    sizer = BatchSizer(None, 2)
    sizer.observe(100, 100 * 1e-5)
    assert sizer.next_size(None) == int(TARGET_BATCH_SECONDS / 1e-5)


def test_auto_keeps_two_batches_per_worker_for_the_tail() -> None:
    sizer = BatchSizer(None, 2)
    sizer.observe(100, 100 * 1e-4)
    assert sizer.next_size(400) == 100


def test_the_tail_cap_stops_at_the_smallest_worthwhile_batch() -> None:
    # 1 µs tasks: cutting the last 12,000 into quarters and smaller would cost a round trip per few ms of work.
    sizer = BatchSizer(None, 2)
    sizer.observe(1000, 1000 * 1e-6)
    assert sizer.next_size(12_000) == int(MIN_BATCH_SECONDS / 1e-6)
    assert sizer.next_size(3_000) == 3_000  # never more than what is left


@given(st.floats(1e-9, 100), st.integers(1, 64), st.one_of(st.none(), st.integers(0, 10**7)))
def test_auto_size_is_always_within_bounds(per_task: float, workers: int, remaining: int | None) -> None:
    sizer = BatchSizer(None, workers)
    sizer.observe(10, 10 * per_task)
    size = sizer.next_size(remaining)
    assert 1 <= size <= MAX_BATCH
    if remaining:
        assert size <= remaining
