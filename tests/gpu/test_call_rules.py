"""How kernels take their arguments and report failures: keywords and defaults, exceptions raised inside a kernel,
``out=`` overlapping an input, read-only arrays, dtypes numba cannot compile, names numba cannot resolve."""

from __future__ import annotations

import math

import numpy as np
import pytest

from parallelize import KernelCompileError, gpu
from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._gpu.numba_cuda import may_raise


def scale(x, factor=2.0):
    return x * factor


def checked(x):
    if x < 0:
        raise ValueError("negative input")
    return math.sqrt(x)


def checked_sum(a, b):
    if a < 0:
        raise ValueError("negative a")
    return a + b


def add(a, b):
    return a + b


def fill(out, value):
    for i in range(gpu.index(), out.size, gpu.stride()):
        out[i] = value


def test_keywords_and_defaults_bind_like_a_python_call():
    kernel = gpu_kernel(device="cpu")(scale)
    x = np.arange(4.0)
    np.testing.assert_array_equal(kernel(x), scale(x))
    np.testing.assert_array_equal(kernel(x, factor=3.0), scale(x, factor=3.0))
    np.testing.assert_array_equal(kernel(factor=0.5, x=x), scale(x, 0.5))
    with pytest.raises(TypeError, match=r"scale.*unexpected keyword argument 'speed'"):
        kernel(x, speed=1.0)


def test_grid_kernels_take_keywords_too():
    kernel = gpu_kernel(kind="grid", device="cpu")(fill)
    out = np.zeros(5)
    kernel(out=out, value=7.0)
    np.testing.assert_array_equal(out, np.full(5, 7.0))
    kernel[2, 4](out, value=1.0)
    np.testing.assert_array_equal(out, np.ones(5))


def test_parameters_that_cannot_be_compiled_or_clash_with_out_are_refused_at_decoration():
    def keyword_only(x, *, k):
        return x * k

    def named_out(x, out):
        return x + out

    with pytest.raises(TypeError, match="keyword-only"):
        gpu_kernel(device="cpu")(keyword_only)
    with pytest.raises(TypeError, match="reserved for the output array"):
        gpu_kernel(device="cpu")(named_out)


def test_an_exception_raised_in_an_elementwise_kernel_on_the_cpu_reaches_the_caller():
    kernel = gpu_kernel(device="cpu")(checked)
    np.testing.assert_allclose(kernel(np.arange(4.0)), np.sqrt(np.arange(4.0)))
    x = np.array([[1.0, 4.0], [-1.0, 9.0]])
    with pytest.raises(ValueError, match="negative input") as info:
        kernel(x)
    assert any("element (1, 0)" in note for note in getattr(info.value, "__notes__", []))
    with pytest.raises(ValueError, match="negative a") as info:  # a broadcast argument
        gpu_kernel(device="cpu")(checked_sum)(np.array([[1.0], [-1.0]]), np.arange(3.0))
    assert any("element (1, " in note for note in getattr(info.value, "__notes__", []))


def test_out_overlapping_an_input_gives_numpy_s_result():
    kernel = gpu_kernel(device="cpu")(add)
    x = np.arange(5.0)
    expected = np.add(x, x[::-1])
    kernel(x, x[::-1], out=x)
    np.testing.assert_array_equal(x, expected)
    y = np.arange(5.0)
    kernel(y, 1.0, out=y)  # the same array as input and output is fine in place
    np.testing.assert_array_equal(y, np.arange(5.0) + 1)


def test_read_only_outputs_are_refused_with_what_to_do():
    read_only = np.zeros(4)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="out= is read-only"):
        gpu_kernel(device="cpu")(add)(np.ones(4), 1.0, out=read_only)
    with pytest.raises(ValueError, match="writes into a read-only array"):
        gpu_kernel(kind="grid", device="cpu")(fill)(read_only, 1.0)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_dtypes_numba_cannot_compile_are_named_with_a_cast_to_use(dtype):
    if np.dtype(dtype).itemsize == 8:
        pytest.skip("longdouble is float64 on this platform")
    with pytest.raises(TypeError, match=r"argument 1 \('x'\).*Cast it first"):
        gpu_kernel(device="cpu")(scale)(np.ones(3, dtype=dtype))


def test_an_undefined_name_is_reported_at_the_line_that_uses_it():
    def uses_missing(x):
        y = x * 2
        return y + not_defined_anywhere  # noqa: F821

    with pytest.raises(KernelCompileError, match="not_defined_anywhere") as info:
        gpu_kernel(device="cpu")(uses_missing)(np.arange(3.0))
    assert info.value.lineno == uses_missing.__code__.co_firstlineno + 2


def test_kernels_that_can_raise_are_found_for_cuda_exception_checks():
    def plain(x):
        return x * 2

    def asserts(x):
        assert x > 0
        return x

    def calls_checked(x):
        return checked(x)

    assert not may_raise(plain)
    assert may_raise(checked) and may_raise(asserts) and may_raise(calls_checked)
