"""Launch configuration arithmetic (pure, no CUDA)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parallelize._gpu.launch import BLOCKS_PER_MULTIPROCESSOR, DeviceLimits, compute_launch, validate_launch

LIMITS = DeviceLimits(max_threads_per_block=1024, max_grid_dim_x=2**31 - 1, multiprocessor_count=132, warp_size=32)


@given(size=st.integers(1, 10**10), max_threads=st.sampled_from([64, 128, 256, 512, 1024]))
def test_launch_covers_every_element_within_device_limits(size, max_threads):
    limits = DeviceLimits(max_threads_per_block=max_threads, multiprocessor_count=4)
    config = compute_launch(size, limits)
    assert config.blocks * config.threads >= size
    assert 1 <= config.threads <= max_threads
    assert config.threads % 32 == 0
    assert (config.blocks - 1) * config.threads < size  # no block is entirely idle


@given(size=st.integers(1, 10**9))
def test_grid_stride_launch_is_capped_to_waves_of_blocks_per_multiprocessor(size):
    config = compute_launch(size, LIMITS, grid_stride=True)
    assert config.blocks <= LIMITS.multiprocessor_count * BLOCKS_PER_MULTIPROCESSOR
    assert config.blocks >= 1 and config.threads >= 1


def test_small_sizes_get_one_block_rounded_to_whole_warps():
    assert compute_launch(10, LIMITS) == compute_launch(32, LIMITS)
    assert compute_launch(10, LIMITS).blocks == 1
    assert compute_launch(10, LIMITS).threads == 32
    assert compute_launch(1000, LIMITS).threads == 256


def test_empty_launch_and_negative_size():
    assert compute_launch(0, LIMITS).total_threads == 0
    with pytest.raises(ValueError, match=">= 0"):
        compute_launch(-1, LIMITS)


def test_too_many_blocks_without_grid_stride_names_the_fix():
    tiny = DeviceLimits(max_threads_per_block=32, max_grid_dim_x=4)
    with pytest.raises(ValueError, match="grid-stride"):
        compute_launch(1000, tiny)
    assert compute_launch(1000, tiny, grid_stride=True).blocks <= 4


@pytest.mark.parametrize(
    ("blocks", "threads", "error"),
    [(1, 2048, ValueError), (0, 32, ValueError), (1.5, 32, TypeError), (4, True, TypeError), (1, 0, ValueError)],
)
def test_explicit_launch_is_validated(blocks, threads, error):
    with pytest.raises(error):
        validate_launch(blocks, threads, LIMITS)


def test_explicit_launch_within_limits_is_kept():
    assert validate_launch(3, 128, LIMITS).total_threads == 384
