"""@gpu_kernel on the CPU path against numpy, decorator behaviour, device selection and bad input."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import kernels
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._errors import GPUUnavailableError, ParallelizeWarning
from parallelize._gpu import detect
from parallelize._gpu.diagnostics import KernelCompileError

cpu_saxpy = gpu_kernel(device="cpu")(kernels.saxpy)
cpu_smooth = gpu_kernel(device="cpu")(kernels.smooth)
cpu_scale = gpu_kernel(kind="grid", device="cpu")(kernels.scale_grid)

finite = st.floats(-1e3, 1e3, width=32)


@settings(max_examples=25, deadline=None)
@given(
    a=finite,
    x=hnp.arrays(np.float32, hnp.array_shapes(max_dims=3, max_side=6), elements=finite),
    data=st.data(),
)
def test_elementwise_equals_numpy_with_broadcasting(a, x, data):
    y_shape = data.draw(hnp.broadcastable_shapes(x.shape, max_dims=3, max_side=6))
    y = data.draw(hnp.arrays(np.float32, y_shape, elements=finite))
    result = cpu_saxpy(a, x, y)
    expected = np.float32(a) * x + y
    assert result.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-4)


def test_math_functions_and_float64_match_numpy():
    x = np.linspace(-3, 3, 101)
    y = np.linspace(0, 2, 101)[:, None]
    np.testing.assert_allclose(cpu_smooth(x, y), np.sin(x) * np.exp(-y * y) + x / (1 + y * y), rtol=1e-12)


def test_scalars_only_return_a_scalar():
    assert cpu_saxpy(2.0, 3.0, 1.0) == 7.0


def test_out_writes_in_place_also_into_a_non_contiguous_view_and_another_float_dtype():
    x = np.arange(6.0).reshape(2, 3)
    out = np.zeros((3, 2)).T
    assert cpu_saxpy(2.0, x, 1.0, out=out) is out
    np.testing.assert_array_equal(out, 2 * x + 1)
    out32 = np.zeros((2, 3), np.float32)
    cpu_saxpy(2.0, x, 1.0, out=out32)
    np.testing.assert_array_equal(out32, (2 * x + 1).astype(np.float32))


def test_signature_fixes_the_dtypes():
    kernel = gpu_kernel(device="cpu", signature="float32(float32, float32, float32)")(kernels.saxpy)
    result = kernel(2, np.arange(3.0), np.ones(3))
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, [1, 3, 5])


def test_integer_inputs_give_integer_results_widened_as_numba_types_them():
    result = cpu_saxpy(3, np.arange(4, dtype=np.int32), np.int32(1))
    assert result.dtype == np.int64  # numba types int32 arithmetic as int64; signature= pins another dtype
    np.testing.assert_array_equal(result, [1, 4, 7, 10])


def test_grid_kernel_auto_launch_and_explicit_launch():
    x = np.arange(1000.0)
    out = np.zeros_like(x)
    assert cpu_scale(out, x, 2.0) is None
    np.testing.assert_array_equal(out, 2 * x)
    out[:] = 0
    cpu_scale[3, 7](out, x, 3.0)  # 21 "threads" stride over 1000 elements
    np.testing.assert_array_equal(out, 3 * x)


def test_grid_kernel_written_with_numba_cuda_grid_runs_on_the_cpu():
    from numba import cuda  # imported by the test only: the CPU path itself never imports numba.cuda

    namespace = {"cuda": cuda}
    exec(
        "def add_one(out):\n    i = cuda.grid(1)\n    if i < out.size:\n        out[i] += 1\n",
        namespace,
    )
    # exec'd code has no source file: the CPU path needs the source, and says so
    with pytest.raises(TypeError, match="source"):
        gpu_kernel(kind="grid", device="cpu")(namespace["add_one"])(np.zeros(3))


def test_out_of_bounds_write_in_a_grid_kernel_raises_index_error_on_the_cpu():
    kernel = gpu_kernel(kind="grid", device="cpu")(kernels.out_of_bounds_grid)
    with pytest.raises(IndexError, match="out_of_bounds_grid"):
        kernel(np.zeros(10))


def test_uncompilable_construct_names_the_line_and_the_construct(tmp_path):
    def bad(x):
        return open(x)  # numba cannot type open()

    with pytest.raises(KernelCompileError) as info:
        gpu_kernel(device="cpu")(bad)(np.ones(2))
    message = str(info.value)
    assert "open" in message and "return open(x)" in message
    assert info.value.lineno == bad.__code__.co_firstlineno + 1
    assert isinstance(info.value, ValueError)


def test_function_returning_a_non_number_is_refused():
    def pair(x):
        return (x, x)

    with pytest.raises(TypeError, match="must return a number"):
        gpu_kernel(device="cpu")(pair)(np.ones(2))


def test_bad_arguments_to_the_decorator_and_calls():
    with pytest.raises(ValueError, match="device must be one of"):
        gpu_kernel(device="tpu")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="kind must be"):
        gpu_kernel(kind="reduce")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="elementwise kernel"):
        cpu_saxpy[1, 32]
    with pytest.raises(TypeError, match="lists are not accepted"):
        cpu_scale([0.0], np.ones(1), 1.0)
    with pytest.raises(TypeError, match="plain Python function"):
        gpu_kernel(len)


def test_decorated_kernel_keeps_name_doc_and_wrapped():
    assert cpu_saxpy.__name__ == "saxpy"
    assert cpu_saxpy.__doc__ == kernels.saxpy.__doc__
    assert cpu_saxpy.__wrapped__ is kernels.saxpy
    assert "saxpy" in repr(cpu_saxpy)


def test_kernel_pickles_by_value_and_by_reference():
    assert pickle.loads(pickle.dumps(kernels.cpu_cube)) is kernels.cpu_cube
    import cloudpickle

    local = pickle.loads(cloudpickle.dumps(cpu_saxpy))
    np.testing.assert_array_equal(local(2.0, np.ones(2), 1.0), [3.0, 3.0])


def test_device_cuda_without_a_device_raises_with_what_was_looked_for():
    kernel = gpu_kernel(device="cuda")(kernels.saxpy)
    if detect.cuda_status().available:
        pytest.skip("a CUDA device is present")
    with pytest.raises(GPUUnavailableError, match="numba-cuda, the NVIDIA driver library and a device"):
        kernel(1.0, np.ones(2), 1.0)


def test_auto_falls_back_to_the_cpu_and_says_so_once():
    if detect.cuda_status().available:
        pytest.skip("a CUDA device is present")
    kernel = gpu_kernel(kernels.saxpy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kernel(1.0, np.ones(2), 1.0)
        kernel(1.0, np.ones(2), 1.0)
    notices = [w for w in caught if issubclass(w.category, ParallelizeWarning)]
    assert len(notices) == 1
    assert "CPU path" in str(notices[0].message)


def test_importing_the_decorator_does_not_import_numba():
    code = (
        "import sys; import parallelize._decorators.gpu_kernel, parallelize.gpu, parallelize._gpu; "
        "print(sorted(m for m in sys.modules if m.startswith(('numba', 'pycuda'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_index_outside_a_kernel_explains_itself():
    from parallelize import gpu

    with pytest.raises(RuntimeError, match="only has a meaning inside"):
        gpu.index()
