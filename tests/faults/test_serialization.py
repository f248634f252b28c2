"""Arguments or items that cannot be pickled raise SerializationError naming which one."""

from __future__ import annotations

import threading

import pytest
import tasks

from parallelize import SerializationError, parallel_for


def test_unpicklable_broadcast_argument_is_named() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.add)
    with pytest.raises(SerializationError, match="'y'") as info:
        f.map(range(4), threading.Lock())
    assert "pickle" in str(info.value)
    assert isinstance(info.value, TypeError)


def test_unpicklable_keyword_argument_is_named() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.add)
    with pytest.raises(SerializationError, match="'z'"):
        f.map(range(4), 1, z=threading.Lock())


def test_unpicklable_item_is_named_by_index() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.square)
    with pytest.raises(SerializationError, match="item 2"):
        f.map([1, 2, threading.Lock(), 4])


def test_unpicklable_return_value_is_a_clear_error() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(lambda x: threading.Lock() if x == 1 else x)
    with pytest.raises(SerializationError, match="cannot be pickled back"):
        f.map(range(3))


def test_threads_need_no_pickling() -> None:
    lock = threading.Lock()
    f = parallel_for(backend="threads", n_jobs=2)(lambda x, lk: x if lk is lock else None)
    assert f.map(range(3), lock) == [0, 1, 2]
