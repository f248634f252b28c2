"""Launch configuration (blocks x threads) from a problem size and a device's limits. Pure arithmetic, no
CUDA.

Elementwise kernels are generated with a grid-stride loop, so their grid may be capped to a few waves of
blocks per multiprocessor; grid kernels written by users usually guard ``if i < out.size`` and get one thread
per element.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DeviceLimits", "LaunchConfig", "compute_launch", "validate_launch"]

# 256 threads per block: a multiple of the warp size that keeps occupancy high on every architecture
# since Kepler without tuning for register pressure (NVIDIA's CUDA C Best Practices Guide, "Thread and
# Block Heuristics").
DEFAULT_THREADS_PER_BLOCK = 256
# A grid-stride kernel gains nothing from more than a few resident waves: 32 blocks per multiprocessor
# covers the 2,048 resident threads per SM of current GPUs several times over while bounding the launch size.
BLOCKS_PER_MULTIPROCESSOR = 32


@dataclass(frozen=True)
class DeviceLimits:
    """The device attributes that bound a launch (defaults: any CUDA device of compute capability >= 3.0)."""

    max_threads_per_block: int = 1024
    max_grid_dim_x: int = 2**31 - 1
    multiprocessor_count: int = 1
    warp_size: int = 32


@dataclass(frozen=True)
class LaunchConfig:
    """A 1-D launch: ``blocks`` blocks of ``threads`` threads each."""

    blocks: int
    threads: int

    @property
    def total_threads(self) -> int:
        """Return the number of threads launched."""
        return self.blocks * self.threads


def compute_launch(size: int, limits: DeviceLimits, *, grid_stride: bool = False) -> LaunchConfig:
    """Compute blocks x threads covering ``size`` elements within ``limits``.

    Args:
        size: number of elements (threads wanted); 0 gives an empty launch.
        limits: the device's limits.
        grid_stride: the kernel loops with a stride of the grid size, so the grid may be smaller than
        ``size``.

    Returns:
        The launch configuration; ``blocks * threads >= size`` unless ``grid_stride`` capped the grid.

    Raises:
        ValueError: ``size`` is negative, or too large for one launch of a kernel without a grid-stride loop.
    """
    if size < 0:
        raise ValueError(f"launch size must be >= 0, got {size}")
    if size == 0:
        return LaunchConfig(0, 0)
    warp = max(1, limits.warp_size)
    threads = min(DEFAULT_THREADS_PER_BLOCK, limits.max_threads_per_block)
    # Small problems: one block, rounded up to whole warps (a partial warp occupies a full warp's slots).
    threads = min(threads, -(-size // warp) * warp)
    blocks = -(-size // threads)
    if grid_stride:
        cap = max(1, limits.multiprocessor_count * BLOCKS_PER_MULTIPROCESSOR)
        blocks = min(blocks, cap, limits.max_grid_dim_x)
    elif blocks > limits.max_grid_dim_x:
        raise ValueError(
            f"{size} elements need {blocks} blocks of {threads} threads, more than the device's "
            f"{limits.max_grid_dim_x}; write the kernel as a grid-stride loop over "
            "range(parallelize.gpu.index(), n, parallelize.gpu.stride()) "
            "and launch it with kernel[blocks, threads]"
        )
    return LaunchConfig(blocks, threads)


def validate_launch(blocks: object, threads: object, limits: DeviceLimits) -> LaunchConfig:
    """Check an explicit ``kernel[blocks, threads]`` configuration.

    Raises:
        TypeError: ``blocks`` or ``threads`` is not an int.
        ValueError: a value is out of the device's range.
    """
    for label, value in (("blocks", blocks), ("threads", threads)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"kernel[blocks, threads] takes two ints (1-D launches); {label} is {value!r}")
    assert isinstance(blocks, int) and isinstance(threads, int)  # narrowed above; for mypy
    if not 1 <= threads <= limits.max_threads_per_block:
        raise ValueError(
            f"threads per block must be between 1 and {limits.max_threads_per_block} on this device, "
            f"got {threads}"
        )
    if not 1 <= blocks <= limits.max_grid_dim_x:
        raise ValueError(f"blocks must be between 1 and {limits.max_grid_dim_x}, got {blocks}")
    return LaunchConfig(blocks, threads)
