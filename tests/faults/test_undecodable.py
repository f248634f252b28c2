"""An item or result that cannot be rebuilt on the other side fails its own task, named; the others are kept."""

from __future__ import annotations

import pytest
import undecodable

from parallelize import SerializationError, parallel_for


def test_item_that_cannot_be_unpickled_in_the_worker_names_its_task() -> None:
    f = parallel_for(n_jobs=2, batch_size=4, on_error="collect")(undecodable.value_of)
    items = [0, 1, undecodable.LoadsOnlyAtHome(2), 3, 4, 5]
    with pytest.raises(Exception) as info:
        f.map(items)
    group = info.value
    assert group.failed_indices == [2]  # type: ignore[attr-defined]
    assert [v for i, v in enumerate(group.results) if i != 2] == [0, 1, 3, 4, 5]  # type: ignore[attr-defined]
    error = group.exceptions[0]  # type: ignore[attr-defined]
    assert isinstance(error, SerializationError)
    assert "task 2's item" in str(error) and "cannot rebuild value 2" in str(error)


def test_result_that_cannot_be_unpickled_in_the_caller_costs_one_slot() -> None:
    f = parallel_for(n_jobs=2, batch_size=3, on_error="collect")(undecodable.result_for)
    with pytest.raises(Exception) as info:
        f.map(range(6))
    group = info.value
    assert group.failed_indices == [2]  # type: ignore[attr-defined]
    assert [v for i, v in enumerate(group.results) if i != 2] == [0, 1, 3, 4, 5]  # type: ignore[attr-defined]
    assert "task 2's result could not be unpickled in the caller" in str(group.exceptions[0])  # type: ignore[attr-defined]


def test_result_that_cannot_be_unpickled_raises_serialization_error_by_default() -> None:
    f = parallel_for(n_jobs=2, batch_size=3)(undecodable.result_for)
    with pytest.raises(SerializationError, match="task 2's result"):
        f.map(range(6))


def test_broadcast_argument_that_cannot_be_unpickled_is_named() -> None:
    def add(x: int, offset: undecodable.LoadsOnlyAtHome) -> int:
        return x + offset.value

    f = parallel_for(n_jobs=2)(add)
    with pytest.raises(SerializationError, match=r"argument 'offset'.*cannot rebuild value 7"):
        f.map(range(4), undecodable.LoadsOnlyAtHome(7))
