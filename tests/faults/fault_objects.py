"""Items and results that fault at one stage of a task's trip, in one process only (importable by workers).

A task's trip has five stages: its item is pickled in the caller (1) and unpickled in the worker (2), the task
runs (3), its result is pickled in the worker (4) and unpickled in the caller (5). :class:`Item` carries the stage
and the fault; its own pickling and the result it makes trigger the fault at exactly that stage, in the caller's
process for stages 1 and 5 and only outside it for stages 2 and 4 (the caller's pid travels with the item).
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import resource
import signal
import sys
from typing import Any

#: Every fault, and those that end the process they happen in.
FAULTS = ("raise", "exit", "segfault", "os_exit", "sigkill", "abort")
KILLS = ("segfault", "os_exit", "sigkill", "abort")


class StageFault(Exception):
    """The exception of the ``raise`` fault, naming the stage it was raised at."""


def trigger(fault: str, stage: int) -> None:
    """Fail this process's current step the ``fault`` way."""
    if fault in ("segfault", "abort"):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file per crash
        faulthandler.disable()  # and no traceback dump on the test's stderr
    if fault == "raise":
        raise StageFault(f"fault at stage {stage}")
    if fault == "exit":
        sys.exit(3)
    if fault == "segfault":
        ctypes.string_at(0)
    if fault == "os_exit":
        os._exit(3)
    if fault == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "abort":
        os.abort()
    raise AssertionError(f"unknown fault {fault!r}")


def _in_caller(caller: int) -> bool:
    return os.getpid() == caller


class Item:
    """Task input ``value``; with a ``fault``, that fault happens at ``stage`` (1-5) of this item's task."""

    def __init__(self, value: int, stage: int = 0, fault: str | None = None, caller: int = 0) -> None:
        self.value, self.stage, self.fault, self.caller = value, stage, fault, caller

    def __reduce__(self) -> tuple[Any, ...]:
        if self.fault is not None and self.stage == 1 and _in_caller(self.caller):
            trigger(self.fault, 1)
        return (_rebuild_item, (self.value, self.stage, self.fault, self.caller))

    def __repr__(self) -> str:
        return f"Item({self.value})"


def _rebuild_item(value: int, stage: int, fault: str | None, caller: int) -> Item:
    if fault is not None and stage == 2 and not _in_caller(caller):
        trigger(fault, 2)
    return Item(value, stage, fault, caller)


class Result:
    """A task's result ``value``, faulting when pickled in a worker (stage 4) or unpickled in the caller (5)."""

    def __init__(self, value: int, stage: int = 0, fault: str | None = None, caller: int = 0) -> None:
        self.value, self.stage, self.fault, self.caller = value, stage, fault, caller

    def __reduce__(self) -> tuple[Any, ...]:
        if self.fault is not None and self.stage == 4 and not _in_caller(self.caller):
            trigger(self.fault, 4)
        return (_rebuild_result, (self.value, self.stage, self.fault, self.caller))


def _rebuild_result(value: int, stage: int, fault: str | None, caller: int) -> Result:
    if fault is not None and stage == 5 and _in_caller(caller):
        trigger(fault, 5)
    return Result(value, stage, fault, caller)


def task(item: Item) -> Result:
    """The task of every cell: ``Result(10 * value)``, or the item's fault when it is due at stage 3."""
    if item.fault is not None and item.stage == 3:
        trigger(item.fault, 3)
    return Result(10 * item.value, item.stage, item.fault, item.caller)


def items(stage: int, fault: str, bad: int = 3, count: int = 6) -> list[Item]:
    """``count`` items, item ``bad`` carrying ``fault`` at ``stage``, for a call made from this process."""
    return [Item(i, stage, fault, os.getpid()) if i == bad else Item(i) for i in range(count)]
