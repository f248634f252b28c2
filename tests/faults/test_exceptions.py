"""A task's exception reaches the caller with its own type, whatever its class's ``__init__`` takes.

Differential: the exception caught from a process worker equals the one the plain function raises (type, args,
attributes), on loky as on the in-process backends.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any

import pytest
import raising

from parallelize import TaskFailures, parallel_for
from parallelize._scheduler.failures import capture, rebuild
from parallelize._scheduler.payload import dumps

BACKENDS = ["serial", "threads", "loky"]


def _serial_error(fn: Any, item: Any) -> BaseException:
    with pytest.raises(Exception) as info:
        fn(item)
    return info.value


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fn", [raising.validate, raising.keyword_only])
def test_an_exception_with_a_custom_init_keeps_its_type_and_attributes(backend: str, fn: Any) -> None:
    expected = _serial_error(fn, -1)
    f = parallel_for(backend=backend, n_jobs=2, batch_size=1)(fn)
    with pytest.raises(type(expected)) as info:
        f.map([1, -1, 2])
    error = info.value
    assert type(error) is type(expected)
    assert error.args == expected.args and str(error) == str(expected)
    assert {k: v for k, v in vars(error).items() if not k.startswith("_")} == vars(expected)
    assert "parallelize: raised by task 1 (item -1)" in error.__notes__
    if backend == "loky":
        assert type(error.__cause__).__name__ == "RemoteTraceback"
        assert "raising.py" in str(error.__cause__) and str(expected) in str(error.__cause__)


def test_notes_added_in_the_task_arrive_with_the_task_note() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(raising.add_note_and_raise)
    with pytest.raises(raising.ValidationError) as info:
        f.map([7])
    assert info.value.__notes__ == ["checked by the validator", "parallelize: raised by task 0 (item 7)"]
    assert info.value.field == "row"


def test_collect_groups_custom_exceptions_with_their_types() -> None:
    f = parallel_for(n_jobs=2, batch_size=1, on_error="collect")(raising.validate)
    with pytest.raises(TaskFailures) as info:
        f.map([-1, 3, -2])
    group = info.value
    assert [type(e) for e in group.exceptions] == [raising.ValidationError, raising.ValidationError]
    assert group.results[1] == 3 and group.failed_indices == [0, 2]


def test_a_class_defined_in_the_caller_travels_by_value_and_keeps_its_type() -> None:
    # Like a class defined in __main__ or a notebook: workers cannot import it, cloudpickle sends it by value.
    class LocalError(Exception):
        def __init__(self, field: str, message: str) -> None:
            super().__init__(f"{field}: {message}")
            self.field = field

    def check(row: int) -> int:
        if row < 0:
            raise LocalError("amount", "negative")
        return row

    with pytest.raises(LocalError) as info:
        parallel_for(n_jobs=2, batch_size=1)(check).map([1, -1])
    assert info.value.field == "amount" and str(info.value) == "amount: negative"


def test_an_unpicklable_attribute_is_dropped_and_the_rest_arrives() -> None:
    with pytest.raises(raising.HoldsALock) as info:
        parallel_for(n_jobs=2, batch_size=1)(raising.holds_a_lock).map([-1])
    assert str(info.value) == "locked out" and info.value.detail == 42
    assert not hasattr(info.value, "lock")


def test_runtime_error_only_when_the_class_itself_cannot_travel() -> None:
    class Unpicklable(Exception):
        guard = threading.Lock()  # the class is sent by value, and its lock cannot be pickled

    failure = capture(Unpicklable("boom"), pickled=True)
    exc = rebuild(pickle.loads(dumps(failure)), 0, "x")
    assert type(exc) is RuntimeError
    assert "Unpicklable: boom" in str(exc) and "could not be pickled" in str(exc)
    assert type(exc.__cause__).__name__ == "RemoteTraceback"
