"""The run-time half of loop mode: what the rewritten function calls to run its loop's iterations.

``LoopPlan.start(iterable, caller_locals)`` returns a :class:`LoopRun`: iterate it for each iteration's log of
collector and reduction operations, in iteration order (the rewritten function replays them on the real
objects), then read ``.live`` for the values that names bound in the loop hold afterwards. Failures surface in
iteration order too: when iteration k fails, the operations of iterations 0..k-1 have been replayed, as in the
serial loop.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from parallelize._config import is_forced_serial
from parallelize._rewrite.output import captured_stdout, keep_printed, write_printed
from parallelize._scheduler.payload import restore_filename


def run_iteration(body: Callable[[Any, dict[str, Any]], tuple[list[Any], dict[str, Any]]],
                  live_names: tuple[str, ...], filename: str, caller_pid: int, item: Any, env: dict[str, Any]
                  ) -> tuple[list[Any], dict[str, Any], str]:
    """Run one iteration; keep only the locals that are read after the loop, and, in another process than the
    caller's, what it printed (the caller writes it in iteration order: ``output.py``)."""
    restore_filename(body, filename)  # once per worker: the code object is replaced in place
    printed = ""
    if os.getpid() == caller_pid:  # the caller itself, or a thread of it: print goes where the loop's would
        log, scope = body(item, env)
    else:
        with captured_stdout() as out:
            try:
                log, scope = body(item, env)
            except BaseException as exc:
                keep_printed(exc, out.getvalue())
                raise
        printed = out.getvalue()
    # A name still holding the object the caller passed in was not rebound: the caller's own binding stands
    # (and nothing is copied back for it).
    live = {name: scope[name] for name in live_names
            if name in scope and not (name in env and scope[name] is env[name])}
    for name in scope.get("_pz_deleted", ()):
        if name not in scope:  # deleted and not bound again in this iteration
            live[name] = DELETED
    return log, live, printed


class _Deleted:
    """Marks a name the iteration deleted (``del y``); pickles as the module's one instance."""

    def __reduce__(self) -> str:
        return "DELETED"

    def __repr__(self) -> str:
        return "DELETED"


DELETED = _Deleted()


class LoopRun:
    """One execution of a rewritten loop: an iterator of per-iteration logs, then ``live``."""

    def __init__(self, results: Iterator[Any]) -> None:
        self._results = results
        self.live: dict[str, Any] = {}
        self.deleted: set[str] = set()  # names the last iteration that touched them deleted
        self.count = 0

    def __iter__(self) -> Iterator[list[Any]]:
        failures: dict[int, BaseException] = {}
        values: list[Any] = []
        for index, result in enumerate(self._in_order()):
            self.count += 1
            # on_error="collect": keep going, raise at the end. Each iteration's slot in TaskFailures.results is
            # its exception, or None where it ran and its collections were applied (a log is not a result).
            values.append(result if isinstance(result, BaseException) else None)
            if isinstance(result, BaseException):
                write_printed(result)
                failures[index] = result
                continue
            log, live, printed = result
            if printed:
                sys.stdout.write(printed)
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

    def _in_order(self) -> Iterator[Any]:
        """The iterations' results; a failure raised here (``on_error="raise"``) first writes what it printed."""
        try:
            yield from self._results
        except BaseException as exc:
            write_printed(exc)
            raise


class LoopPlan:
    """Holds the compiled body and runs it through the decorated function's map machinery.

    ``runner(iteration, items, env)`` yields each iteration's ``(log, live)`` in iteration order (the scheduler
    decides where each runs; see ``Execution`` on iterations the caller may run first).
    """

    def __init__(self, body: Callable[..., Any], env_names: tuple[str, ...], live_names: tuple[str, ...],
                 runner: Callable[..., Iterator[Any]], options: Any, global_rng_findings: list[Any],
                 on_threads: Callable[[], Exception | None] = lambda: None) -> None:
        filename = getattr(getattr(body, "__code__", None), "co_filename", "")
        self.iteration = functools.partial(run_iteration, body, live_names, filename, os.getpid())
        self.env_names = env_names
        self.runner = runner
        self.options = options
        #: PAR602 findings that only ``seed=`` made safe: refused at run time on a backend that shares memory.
        self.global_rng_findings = global_rng_findings
        #: The analysis's refusal of the loop under threads, or None (asked for on a backend that shares memory).
        self.on_threads = on_threads

    def run_here(self, iterable: Any) -> bool:
        """Whether to run the original loop in the caller: the serial debug switch only.

        Not when seeded, since only the parallel path gives each iteration its own random stream, nor with
        on_error="collect", which the original loop (stopping at its first error) cannot honour.
        """
        options = self.options
        if (options.seed is not None or options.init is not None or options.timeout is not None
                or options.on_error == "collect"):
            return False
        return is_forced_serial()

    def start(self, iterable: Iterable[Any], caller_locals: dict[str, Any]) -> LoopRun:
        """Start running the iterations; the caller replays each one's log in order."""
        env = {name: caller_locals[name] for name in self.env_names if name in caller_locals}
        return LoopRun(self.runner(self.iteration, iterable, env))
