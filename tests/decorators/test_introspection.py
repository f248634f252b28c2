"""Decorated vs plain: name, doc, signature, __wrapped__, methods, pickling (wrapt-style differential tests)."""

from __future__ import annotations

import inspect
import os
import pickle
from collections.abc import Callable
from typing import Any

import cloudpickle
import pytest
import sample_module
import tasks
from sample_module import Model, Scaler, cube, shout

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


def _forms() -> dict[str, tuple[Callable[[Model], Any], Callable[[Model], Callable[[int], int]]]]:
    """Each way a method can be decorated: (the decorated callable, the undecorated one it must equal)."""
    return {
        "method": (lambda m: m.predict, lambda m: m.predict.__wrapped__),
        "classmethod": (lambda m: Model.scale, lambda m: Model.scale.__wrapped__),
        "classmethod via instance": (lambda m: m.scale, lambda m: Model.scale.__wrapped__),
        "staticmethod": (lambda m: Model.negate, lambda m: Model.negate.__wrapped__),
        "wrapped bound method": (lambda m: parallel_for(loop=False, batch_size=1, n_jobs=2)(m.plain_predict),
                                 lambda m: m.plain_predict),
    }


@pytest.mark.parametrize("form", list(_forms()))
def test_methods_map_on_process_workers_like_the_undecorated_method(form: str) -> None:
    # batch_size=1: every task goes to a loky worker (nothing runs in the caller), which is where methods failed.
    decorated, plain = (get(Model(2)) for get in _forms()[form])
    items = [1, 2, 3, 5]
    expected = [plain(x) for x in items]
    assert decorated.map(items) == expected
    assert list(decorated.imap(items)) == expected
    assert sorted(decorated.imap_unordered(items)) == sorted(expected)
    assert decorated.starmap([(x,) for x in items]) == expected
    assert decorated.submit(7).result(timeout=60) == plain(7)
    assert decorated(7) == plain(7)


def test_methods_of_a_class_pickled_by_value_map_on_process_workers() -> None:
    # A local class travels by value, as classes defined in __main__ or a notebook do.
    class Local:
        offset = 100

        def __init__(self, w: int) -> None:
            self.w = w

        @parallel_for(loop=False, batch_size=1, n_jobs=2)
        def predict(self, x: int) -> tuple[int, int]:
            return self.w * x, os.getpid()

        @parallel_for(loop=False, batch_size=1, n_jobs=2)
        @classmethod
        def shift(cls, x: int) -> int:
            return cls.offset + x

        def plain(self, x: int) -> int:
            return self.w - x

    obj = Local(3)
    wrapped = parallel_for(loop=False, batch_size=1, n_jobs=2)(obj.plain)
    assert wrapped.map(range(4)) == [obj.plain(x) for x in range(4)]
    results = obj.predict.map(range(4))
    assert [value for value, _ in results] == [obj.predict.__wrapped__(x)[0] for x in range(4)]
    assert os.getpid() not in {pid for _, pid in results}
    assert Local.shift.map(range(4)) == [Local.shift.__wrapped__(x) for x in range(4)]
    assert obj.predict.submit(2).result(timeout=60)[0] == 6


def test_a_method_failing_on_a_worker_keeps_its_type_and_its_file_in_the_traceback() -> None:
    with pytest.raises(ValueError, match="bad 4") as info:
        Model(1).fail.map([4])
    assert "sample_module.py" in str(info.value.__cause__)


def test_bound_decorated_methods_pickle_by_reference() -> None:
    model = Model(5)
    for bound in (model.predict, Model.scale, model.scale, Model.negate):
        for dumps in (pickle.dumps, payload.dumps):
            clone = pickle.loads(dumps(bound))
            assert isinstance(clone, ParallelFunction.__bound_function_wrapper__)
            assert clone(3) == bound(3)
            assert clone.map([1, 2]) == bound.map([1, 2])
    assert pickle.loads(pickle.dumps(vars(Model)["predict"])) is vars(Model)["predict"]


def test_a_wrapper_not_found_under_its_name_keeps_its_decorator_when_pickled() -> None:
    # `tasks.square` names the plain function, not this wrapper made around it: the wrapper travels as function
    # (by reference) + options and comes back a wrapper, not as the plain function without .map.
    wrapper = parallel_for(n_jobs=2, batch_size=1)(tasks.square)
    for dumps in (pickle.dumps, payload.dumps):
        clone = pickle.loads(dumps(wrapper))
        assert isinstance(clone, ParallelFunction)
        assert clone.map([1, 2, 3]) == [tasks.square(x) for x in [1, 2, 3]]


@pytest.mark.parametrize("backend", ["loky", "threads", "serial"])
def test_parameters_named_like_the_wrappers_own_pass_by_keyword(backend: str) -> None:
    kw = {"self": "me", "items": [1], "fn": len, "args": (2,), "kwargs": {"k": 3}}
    plain = sample_module.describe
    f = parallel_for(loop=False, batch_size=1, n_jobs=2, backend=backend)(plain)
    expected = plain(0, **kw)
    assert f(0, **kw) == expected
    assert f.submit(0, **kw).result(timeout=60) == expected
    assert f.map([0, 1], **kw) == [plain(x, **kw) for x in [0, 1]]
    assert f.starmap([(0,), (1,)], **kw) == [plain(x, **kw) for x in [0, 1]]
    assert list(f.imap([0, 1], **kw)) == [plain(x, **kw) for x in [0, 1]]
    assert sorted(f.imap_unordered([0, 1], **kw), key=str) == sorted([plain(x, **kw) for x in [0, 1]], key=str)
    bound = Model(2).predict
    assert bound(x=4) == Model(2).plain_predict(x=4)
    assert bound.submit(x=4).result(timeout=60) == 8
