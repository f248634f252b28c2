"""The run-time half of loop mode: what the rewritten function calls to run its loop's iterations.

``LoopPlan.start(iterable, caller_locals)`` returns a :class:`LoopRun`: iterate it for each iteration's log of
collector and reduction operations, in iteration order (the rewritten function replays them on the real
objects), then read ``.live`` for the values that names bound in the loop hold afterwards. Failures surface in
iteration order too: when iteration k fails, the operations of iterations 0..k-1 have been replayed, as in the
serial loop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from parallelize._config import is_forced_serial
from parallelize._scheduler.payload import restore_filename
from parallelize._scheduler.runner import TINY_TASK_SECONDS


def run_iteration(body: Callable[[Any, dict[str, Any]], tuple[list[Any], dict[str, Any]]],
                  live_names: tuple[str, ...], filename: str, item: Any, env: dict[str, Any]
                  ) -> tuple[list[Any], dict[str, Any]]:
    """Run one iteration in a worker; keep only the locals that are read after the loop."""
    restore_filename(body, filename)  # once per worker: the code object is replaced in place
    log, scope = body(item, env)
    # A name still holding the object the caller passed in was not rebound: the caller's own binding stands
    # (and nothing is copied back for it).
    live = {name: scope[name] for name in live_names
            if name in scope and not (name in env and scope[name] is env[name])}
    for name in scope.get("_pz_deleted", ()):
        if name not in scope:  # deleted and not bound again in this iteration
            live[name] = DELETED
    return log, live


class _Deleted:
    """Marks a name the iteration deleted (``del y``); pickles as the module's one instance."""

    def __reduce__(self) -> str:
        return "DELETED"

    def __repr__(self) -> str:
        return "DELETED"


DELETED = _Deleted()


#: Below this much work per iteration (measured on the last call), the caller's own loop is faster than any
#: parallel run: the per-iteration bookkeeping of loop mode (log, pickle, replay) is a few microseconds.
TINY_ITERATION_SECONDS = TINY_TASK_SECONDS


class LoopRun:
    """One execution of a rewritten loop: an iterator of per-iteration logs, then ``live``."""

    def __init__(self, results: Iterator[Any], stats: dict[str, Any]) -> None:
        self._results = results
        self._stats = stats
        self.live: dict[str, Any] = {}
        self.deleted: set[str] = set()  # names the last iteration that touched them deleted
        self.count = 0

    @property
    def rest(self) -> Iterator[Any] | None:
        """Items left for the caller's own loop once the iterations proved too small to send (else None)."""
        rest: Iterator[Any] | None = self._stats.get("rest")
        return rest

    def __iter__(self) -> Iterator[list[Any]]:
        failures: dict[int, BaseException] = {}
        values: list[Any] = []
        for index, result in enumerate(self._results):
            self.count += 1
            # on_error="collect": keep going, raise at the end. Each iteration's slot in TaskFailures.results is
            # its exception, or None where it ran and its collections were applied (a log is not a result).
            values.append(result if isinstance(result, BaseException) else None)
            if isinstance(result, BaseException):
                failures[index] = result
                continue
            log, live = result
            for name, value in live.items():  # a name absent from this iteration keeps an earlier value
                if value is DELETED:
                    self.live.pop(name, None)
                    self.deleted.add(name)
                else:
                    self.live[name] = value
                    self.deleted.discard(name)
            yield log
        if failures:
            from parallelize._scheduler.failures import collected_failures

            raise collected_failures(failures, values)


class LoopPlan:
    """Holds the compiled body and runs it through the decorated function's map machinery."""

    def __init__(self, body: Callable[..., Any], env_names: tuple[str, ...], live_names: tuple[str, ...],
                 runner: Callable[..., Iterator[Any]],
                 options: Any) -> None:
        filename = getattr(getattr(body, "__code__", None), "co_filename", "")
        self.iteration = functools.partial(run_iteration, body, live_names, filename)
        self.env_names = env_names
        self.runner = runner
        self.options = options
        # What the last run taught: did its iterations all run in the caller (too small to send), and how many.
        self.stats: dict[str, Any] = {}

    def run_here(self, iterable: Any) -> bool:
        """Whether to run the original loop in the caller: the serial debug switch, or a measured tiny loop.

        Never when seeded, since only the parallel path gives each iteration its own random stream, nor with
        on_error="collect", which the original loop (stopping at its first error) cannot honour.
        """
        options = self.options
        if (options.seed is not None or options.init is not None or options.timeout is not None
                or options.on_error == "collect"):
            return False
        if is_forced_serial():
            return True
        stats = self.stats
        per_task = stats.get("per_task")
        if per_task is not None and per_task < TINY_ITERATION_SECONDS:
            # Iterations this cheap cannot gain from workers: logging, sending and replaying each one in the
            # caller costs more than running it. Run the user's own loop, as written.
            return True
        try:
            n = len(iterable)
        except TypeError:
            return False
        # The last run found every iteration cheaper to run here than to send; a loop up to twice as long is
        # still far under the dispatch cost.
        return bool(stats.get("dispatched") is False and n <= 2 * stats.get("count", 0))

    def start(self, iterable: Iterable[Any], caller_locals: dict[str, Any]) -> LoopRun:
        """Start running the iterations; the caller replays each one's log in order."""
        env = {name: caller_locals[name] for name in self.env_names if name in caller_locals}
        stats: dict[str, Any] = {}
        options = self.options
        # Handing the rest to the caller's loop changes nothing visible only without per-task seeds and with
        # "raise" (the caller's loop stops at the first error, as the serial loop does).
        handoff = options.seed is None and options.on_error == "raise"
        return LoopRun(self._learn(self.runner(self.iteration, iterable, env, stats, handoff), stats), stats)

    def _learn(self, results: Iterator[Any], stats: dict[str, Any]) -> Iterator[Any]:
        count = 0
        for result in results:
            count += 1
            yield result
        stats["count"] = count
        self.stats = stats
