"""Loop mode: a decorated function's top-level ``for`` loop runs its iterations in parallel.

At decoration the function's source is analysed once (the same analysis as ``parallelize check``) and its loop
rewritten, by :mod:`parallelize._rewrite.pipeline`; this module only wires the outcome into the wrapper. A function
with no top-level loop, or ``loop=False``, keeps its plain calls unchanged (map mode only, its task checked for lost
writes by ``task_check``). An unsafe loop raises :class:`SharedStateError` with the checker's findings.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from parallelize._decorators.wrapper import ParallelFunction
from parallelize._errors import SharedStateError
from parallelize._options import Options
from parallelize._rewrite.pipeline import WAY_OUT, has_loop, prepare

P = ParamSpec("P")
R = TypeVar("R")


def attach_loop_mode(function: Callable[P, R], options: Options) -> ParallelFunction[P, R]:
    """Return the wrapper for ``function``, rewriting its loop when it has one and loop mode applies.

    A function left in map mode (``loop=False``, no top-level loop, an ``async def``) has its task checked for
    lost writes instead (``task_check``).
    """
    if options.loop is False:
        return _map_mode(function, options)
    kind = "static" if isinstance(function, staticmethod) else "class" if isinstance(function, classmethod) else ""
    raw: Any = function.__func__ if kind else function  # type: ignore[attr-defined]
    if not isinstance(raw, types.FunctionType):
        if options.loop not in (None, False):
            raise SharedStateError(f"loop={options.loop!r}: loop mode needs a plain `def` function, not "
                                   f"{type(raw).__name__}. {WAY_OUT}")
        return _map_mode(function, options)
    if inspect.iscoroutinefunction(raw):
        # An `async def` keeps its plain calls (a coroutine, awaited by the caller); its loop is still checked
        # like the checker checks it, so an unsafe loop (e.g. `await` in it) is refused loudly.
        if has_loop(raw):
            prepare(raw, options, rewrite_loop=False)
            return ParallelFunction(function, options)
        return _map_mode(function, options)
    if options.loop is None and (raw.__name__ == "<lambda>" or not has_loop(raw)):
        return _map_mode(function, options)  # nothing to rewrite
    prepared = prepare(raw, options)
    if prepared is None:
        return _map_mode(function, options)

    def bind(runner: Callable[..., Any]) -> tuple[Callable[..., Any], Any]:
        rewritten, plan = prepared.bind(raw, options, runner)
        return _caller(rewritten, kind), plan

    return ParallelFunction(function, options, loop=bind)


def _map_mode(function: Callable[P, R], options: Options) -> ParallelFunction[P, R]:
    from parallelize._decorators.task_check import check_task

    check_task(function, options)
    return ParallelFunction(function, options)


def _caller(rewritten: Callable[..., Any], kind: str) -> Callable[..., Any]:
    def call(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if kind == "static" or instance is None:
            return rewritten(*args, **kwargs)
        return rewritten(instance, *args, **kwargs)  # methods get self; classmethods get the class

    return call
