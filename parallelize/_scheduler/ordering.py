"""Put finished batches back in input order, or pass them on in completion order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple


class Event(NamedTuple):
    """One finished batch: its first task's index, values (None where failed), failures by index, and items."""

    first: int
    values: list[Any]
    failures: dict[int, Any]
    items: list[Any]


def in_input_order(events: Iterable[Event]) -> Iterator[Event]:
    """Yield batch events sorted by their first index, holding early arrivals in a small buffer."""
    waiting: dict[int, Event] = {}
    expected = 0
    for event in events:
        waiting[event[0]] = event
        while expected in waiting:
            ready = waiting.pop(expected)
            expected += len(ready[1])
            yield ready
    # Anything left means a gap, which only an aborted run leaves; hand it out rather than lose it.
    for first in sorted(waiting):
        yield waiting[first]


def assemble(events: Iterable[Event]) -> tuple[list[Any], dict[int, Any], list[Any]]:
    """Concatenate events into (values, failures, items), all in input order."""
    values: list[Any] = []
    items: list[Any] = []
    failures: dict[int, Any] = {}
    for _first, batch_values, batch_failures, batch_items in in_input_order(events):
        values.extend(batch_values)
        items.extend(batch_items)
        failures.update(batch_failures)
    return values, failures, items
