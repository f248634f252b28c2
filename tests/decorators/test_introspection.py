"""Decorated vs plain: name, doc, signature, __wrapped__, methods, pickling (wrapt-style differential tests)."""

from __future__ import annotations

import inspect
import pickle

import cloudpickle
import sample_module
from sample_module import Scaler, cube, shout

from parallelize import ParallelFunction, parallel_for
from parallelize._scheduler import payload


def plain_cube(x: int) -> int:
    """Return x cubed."""
    return x**3


def test_identity_is_kept() -> None:
    assert cube.__name__ == "cube"
    assert cube.__doc__ == "Return x cubed."
    assert cube.__module__ == "sample_module"
    assert inspect.signature(cube) == inspect.signature(plain_cube)
    assert inspect.signature(shout) == inspect.signature(shout.__wrapped__)
    assert "return x**3" in inspect.getsource(cube)
    assert isinstance(cube, ParallelFunction)
    assert callable(cube.__wrapped__) and not isinstance(cube.__wrapped__, ParallelFunction)


def test_plain_calls_are_unchanged() -> None:
    assert cube(3) == plain_cube(3) == 27
    assert shout("a", suffix="?") == "A?"


def test_instance_method_maps_with_self_bound() -> None:
    s = Scaler(3)
    assert s.scale(2) == 6
    assert s.scale.map(range(5)) == [0, 3, 6, 9, 12]
    assert inspect.signature(s.scale) == inspect.signature(Scaler(1).scale.__wrapped__)


def test_staticmethod_and_classmethod() -> None:
    assert Scaler.twice(4) == 8
    assert Scaler.twice.map(range(4)) == [0, 2, 4, 6]
    assert Scaler(1).twice.map([5]) == [10]
    assert Scaler.by_class(2) == 20
    assert Scaler.by_class.map(range(3)) == [0, 10, 20]


def test_module_level_function_pickles_by_reference() -> None:
    data = pickle.dumps(cube)
    assert len(data) < 200
    assert pickle.loads(data) is sample_module.cube


def test_locally_defined_function_pickles_by_value() -> None:
    factor = 7

    @parallel_for(n_jobs=2)
    def times(x: int) -> int:
        return x * factor

    clone = pickle.loads(payload.dumps(times))
    assert clone(3) == 21
    assert clone.map(range(3)) == [0, 7, 14]
    # A task that calls another decorated local function gets it by value too.
    outer = parallel_for(n_jobs=2, batch_size=1)(lambda x: times(x) + 1)
    assert outer.map(range(3)) == [1, 8, 15]
    assert cloudpickle.loads(cloudpickle.dumps(times.__wrapped__))(2) == 14


def test_closures_and_lambdas_run_on_process_workers() -> None:
    offset = 100
    f = parallel_for(n_jobs=2, batch_size=1)(lambda x: x + offset)
    assert f.map(range(5)) == [x + offset for x in range(5)]


def test_repr_names_the_function() -> None:
    assert "cube" in repr(cube)
