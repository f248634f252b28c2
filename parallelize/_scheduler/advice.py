"""Advice after a run: say so when a call's tasks were too small for parallel work to pay.

Nothing here changes where tasks run. Parallelize never decides by timing to run work in the caller (that would
make what is pickled, and where a task's writes land, depend on a task's length); it tells the user instead, once
per function, with the figures it measured and the fix.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING

from parallelize._errors import ParallelizeWarning, user_stacklevel
from parallelize._scheduler.payload import plain_function

if TYPE_CHECKING:
    from parallelize._scheduler.runner import Execution

#: Tasks shorter than this are candidates for the advice: sending one costs tens to hundreds of microseconds.
SMALL_TASK_SECONDS = 1e-3

_advised: set[tuple[str, int, str, str]] = set()


def warn_if_all_in_caller(execution: Execution, description: str) -> None:
    """Loop mode: say once per function that a call's loop ran wholly in the caller, with what was measured."""
    if not execution.caller_tasks or execution.tasks_done or not _first_time(execution, description, "caller"):
        return
    from parallelize._scheduler.runner import CALLER_BUDGET_SECONDS, SLOW_ITERATION_SECONDS

    per = execution.caller_seconds / execution.caller_tasks
    warnings.warn(
        f"parallelize: {description}'s loop ran serially in the caller: its {execution.caller_tasks} iterations "
        f"took {_human(per)} each ({_human(execution.caller_seconds)} in all), less than sending them to workers "
        f"would cost. A loop goes to the workers once an iteration takes {_human(SLOW_ITERATION_SECONDS)} or its "
        f"iterations {_human(CALLER_BUDGET_SECONDS)} in all; give each iteration more work to gain from them. "
        "This warning is shown once per function.",
        ParallelizeWarning, stacklevel=user_stacklevel())


def warn_if_too_small(execution: Execution, description: str) -> None:
    """Warn once per function when the call took longer than its work would have taken serially."""
    if execution.backend.capabilities.in_caller or not execution.tasks_done:
        return
    if execution.first_sent is None or execution.last_received is None:
        return
    wall = execution.last_received - execution.first_sent
    work = execution.work_seconds
    per_task = work / execution.tasks_done
    if per_task >= SMALL_TASK_SECONDS or wall <= work:
        return
    if not _first_time(execution, description, "small"):
        return
    warnings.warn(
        f"parallelize: {description}'s {execution.tasks_done} tasks took {_human(per_task)} each on the workers "
        f"({_human(work)} of work in all), while the parallel run took {_human(wall)}: sending them costs more "
        "than the work. Give each task more work (pass chunks of items), set a larger batch_size=, or run this "
        "call serially (a plain loop, or backend='serial'). This warning is shown once per function.",
        ParallelizeWarning, stacklevel=user_stacklevel())


def _first_time(execution: Execution, description: str, kind: str) -> bool:
    target = execution.spec.fn
    if isinstance(target, functools.partial) and target.args and callable(target.args[0]):
        target = target.args[0]  # loop mode: run_iteration(body, ...): the body is what identifies the loop
    code = getattr(plain_function(target), "__code__", None)
    key = (code.co_filename, code.co_firstlineno, code.co_name, kind) if code is not None else ("", 0, description,
                                                                                                  kind)
    if key in _advised:
        return False
    _advised.add(key)
    return True


def _human(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"
