"""``worker_state(kind)``: the value ``init=`` returned, checked against the class a type checker is told."""

from __future__ import annotations

import pytest

import parallelize
from parallelize import parallel_for


class Model:
    weight = 3


def load_model() -> Model:
    return Model()


def weigh(x: int) -> int:
    return x * parallelize.worker_state(Model).weight


def weigh_as_dict(x: int) -> int:
    return x * parallelize.worker_state(dict)["weight"]


def test_worker_state_with_the_class_init_returns_is_the_same_value() -> None:
    f = parallel_for(backend="serial", init=load_model)(weigh)
    assert f.map([1, 2]) == [3, 6]


def test_worker_state_with_another_class_raises_a_type_error_naming_both() -> None:
    f = parallel_for(backend="serial", init=load_model)(weigh_as_dict)
    with pytest.raises(TypeError, match=r"worker_state\(dict\): init= returned a Model, not a dict"):
        f.map([1])


def test_worker_state_with_a_class_still_needs_a_task_with_init() -> None:
    with pytest.raises(RuntimeError, match="init="):
        parallelize.worker_state(Model)
