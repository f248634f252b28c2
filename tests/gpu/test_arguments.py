"""Argument rules shared by every path: numeric dtypes, broadcasting, weak scalars, out= (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from parallelize._gpu.arguments import check_out, prepare_elementwise

NAMES = ["a", "x", "y"]


def test_python_scalars_are_weak_and_take_the_arrays_dtype():
    x = np.ones(3, np.float32)
    spec = prepare_elementwise((2.0, x, x), NAMES, None)
    assert [str(d) for d in spec.dtypes] == ["float32", "float32", "float32"]
    assert spec.shape == (3,)
    assert spec.is_array == [False, True, True]


def test_numpy_scalars_keep_their_dtype():
    spec = prepare_elementwise((np.float64(2.0), np.ones(3, np.float32), 1), NAMES, None)
    assert [str(d) for d in spec.dtypes] == ["float64", "float32", "float64"]  # int: result_type of the arrays


def test_shapes_broadcast_by_numpy_rules():
    spec = prepare_elementwise((1.0, np.ones((4, 1)), np.ones(5)), NAMES, None)
    assert spec.shape == (4, 5)


def test_shapes_that_do_not_broadcast_name_each_argument():
    with pytest.raises(ValueError, match=r"'x'\) has shape \(3,\).*'y'\) has shape \(4,\)"):
        prepare_elementwise((1.0, np.ones(3), np.ones(4)), NAMES, None)


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([object(), 1]), np.array(["2020-01-01"], "M8[D]")])
def test_non_numeric_dtypes_are_refused_with_the_argument_named(bad):
    with pytest.raises(TypeError, match=r"argument 2 \('x'\).*numbers only"):
        prepare_elementwise((1.0, bad, 1.0), NAMES, None)


def test_lists_are_converted_like_numpy():
    spec = prepare_elementwise((1, [1.0, 2.0], [3.0, 4.0]), NAMES, None)
    assert spec.shape == (2,)


def test_wrong_argument_count():
    with pytest.raises(TypeError, match="takes 3 arguments"):
        prepare_elementwise((1.0, 2.0), NAMES, None)


def test_signature_casts_inputs_same_kind_and_refuses_unsafe_kinds():
    f32 = np.dtype(np.float32)
    spec = prepare_elementwise((2, np.ones(2), np.ones(2)), NAMES, [f32, f32, f32])
    assert all(d == f32 for d in spec.dtypes)
    assert spec.values[1].dtype == f32
    with pytest.raises(TypeError, match="cannot cast"):
        prepare_elementwise((2, np.ones(2, complex), np.ones(2)), NAMES, [f32, f32, f32])


def test_out_must_match_shape_and_accept_the_dtype():
    f8 = np.dtype(np.float64)
    check_out(np.empty(3), (3,), f8)
    with pytest.raises(ValueError, match="shape"):
        check_out(np.empty(4), (3,), f8)
    with pytest.raises(TypeError, match="does not cast"):
        check_out(np.empty(3, np.int64), (3,), f8)
    with pytest.raises(TypeError, match="numpy or device array"):
        check_out([0.0] * 3, (3,), f8)
