"""GPU kernels compose with process maps: a map after a GPU-kernel call in the parent still works.

Workers are started by loky (spawn-like, never a bare fork), so a parent that has initialised numba, its threading
layer or the simulator helper hands nothing unsafe to them.
"""

from __future__ import annotations

import kernels
import numpy as np
import pytest

parallel_for = pytest.importorskip("parallelize._decorators.parallel_for").parallel_for

from parallelize._decorators.gpu_kernel import gpu_kernel  # noqa: E402


@pytest.mark.parametrize("device", ["cpu", "simulator"])
def test_process_map_after_a_gpu_kernel_call_in_the_parent(device):
    parent = gpu_kernel(device=device)(kernels.saxpy)
    np.testing.assert_array_equal(parent(2.0, np.arange(4.0), 1.0), [1, 3, 5, 7])
    mapped = parallel_for(n_jobs=2, loop=False)(kernels.sum_of_cubes)
    assert mapped.map([3, 4, 5]) == [float((np.arange(float(n)) ** 3).sum()) for n in (3, 4, 5)]
