"""Loop mode: a decorated function's top-level ``for`` loop runs its iterations in parallel.

At decoration the function's source is analysed once (the same analysis as ``parallelize check``). A function
with no top-level loop, or ``loop=False``, keeps its plain calls unchanged (map mode only). A safe loop is
rewritten (``parallelize._rewrite``); an unsafe one raises :class:`SharedStateError` with the checker's findings.
"""

from __future__ import annotations

import dis
import hashlib
import inspect
import linecache
import re
import textwrap
import types
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from parallelize._decorators.wrapper import ParallelFunction
from parallelize._errors import SharedStateError
from parallelize._options import Options

if TYPE_CHECKING:
    from parallelize._analysis import Finding

P = ParamSpec("P")
R = TypeVar("R")

WAY_OUT = ("To keep plain calls serial and parallelize per item instead, decorate with loop=False and call "
           "the function's .map(items).")
#: Added when a reported line carries a noqa comment: it silences the checker's report, it cannot make the
#: rewritten loop compute what the serial loop computes, so the decorator still refuses.
NOQA_NOTE = ("`# noqa` silences `parallelize check` only; the decorator still refuses, because running this loop in "
             "parallel would change its result. Restructure the loop as each fix says, or use loop=False.")


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
        if options.loop is not False and _has_loop(raw):
            _plan(raw, options, rewrite_loop=False)
            return ParallelFunction(function, options)
        return _map_mode(function, options)
    if options.loop is None and (raw.__name__ == "<lambda>" or not _has_loop(raw)):
        return _map_mode(function, options)  # nothing to rewrite
    plan = _plan(raw, options)
    if plan is None:
        return _map_mode(function, options)
    rewritten, loop_plan = plan
    wrapper: ParallelFunction[P, R] = ParallelFunction(function, options, call=_caller(rewritten, kind))
    loop_plan.runner = wrapper._loop_runner
    wrapper._self_loop_plan = loop_plan  # type: ignore[attr-defined]
    return wrapper


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


#: Decoration results by source: a function decorated again (a factory making closures, a re-run notebook cell
#: with the same code) skips the analysis and the rewrite. Keyed by everything the result depends on.
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 256


def _plan(fn: types.FunctionType, options: Options, *, rewrite_loop: bool = True
          ) -> tuple[Callable[..., Any], Any] | None:
    try:
        lines, first_line = inspect.getsourcelines(fn)
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    except (OSError, TypeError) as exc:
        if options.loop in (None, False) and not _has_loop(fn):
            return None
        raise SharedStateError(
            f"{fn.__qualname__}: its source code cannot be read ({exc}), so its loop cannot be analysed or "
            f"rewritten (functions made by exec() or typed into a bare interpreter have no source). "
            f"Define it in a file or a notebook cell. {WAY_OUT}") from None
    source = textwrap.dedent("".join(lines)) if not lines[0][:1].isspace() else "".join(lines)
    mode = "asyncio" if inspect.iscoroutinefunction(fn) else "threads" if options.io else "processes"
    module_source = _module_source(filename)
    from parallelize._rewrite.rewritten import owner_class_name

    owner = owner_class_name(fn)

    def outcome_for(opts: Options) -> Any:
        key = (filename, first_line, source, hash(module_source), opts.loop, mode, owner, fn.__code__.co_freevars,
               rewrite_loop, opts.seed is not None)
        outcome = _CACHE.get(key)
        if outcome is None:
            outcome = _decide_or_load(fn, opts, source, filename, first_line, mode, module_source, owner,
                                      rewrite_loop)
            _CACHE[key] = outcome
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return outcome

    outcome = outcome_for(options)
    if isinstance(outcome, SharedStateError):
        raise SharedStateError(str(outcome), outcome.findings)
    if outcome is _NO_LOOP:
        return None
    # seed= makes the legacy global RNG safe (PAR602) only where each iteration's global state is seeded: on
    # processes and serially, not on threads, which share one global generator.
    rng_findings = _global_rng_findings(outcome_for(replace(options, seed=None))) if options.seed is not None else []
    if rng_findings and (options.io or options.backend == "threads"):
        raise global_rng_on_threads(fn.__qualname__, rng_findings)
    from parallelize._rewrite.plan import LoopPlan

    loop_plan = LoopPlan(outcome.body_for(fn), outcome.env_names, outcome.live_names, _unset_runner, options)
    loop_plan.global_rng_findings = rng_findings
    return outcome.function_for(fn, loop_plan), loop_plan


def _global_rng_findings(unseeded: Any) -> list[Any]:
    """The PAR602 findings that refuse this loop without ``seed=`` (none when it is accepted either way)."""
    if not isinstance(unseeded, SharedStateError):
        return []
    return [f for f in unseeded.findings if f.code == "PAR602"]


def global_rng_on_threads(qualname: str, findings: list[Any]) -> SharedStateError:
    from parallelize._analysis import format_findings_for_error

    return SharedStateError(
        f"{qualname}: seed= cannot make the global RNG safe on threads: they share one global generator, so "
        f"the draws would differ from the serial loop's. {format_findings_for_error(findings)}\n"
        "Draw from `parallelize.rng()` (its own stream per iteration on every backend), or run on processes "
        f"(backend='loky'). {WAY_OUT}", findings)


_NO_LOOP = object()

#: How many functions this process analysed (not found in memory or on disk): for tests and benchmarks.
analyses = 0


def _decide_or_load(fn: types.FunctionType, options: Options, source: str, filename: str, first_line: int,
                    mode: str, module_source: str | None, owner: str | None, rewrite_loop: bool) -> Any:
    """:func:`_decide`, through the disk cache of rewritten functions (``parallelize._rewrite.cache``)."""
    from parallelize._rewrite import cache

    digest = hashlib.sha256
    disk_key = (filename, first_line, digest(source.encode()).hexdigest(),
                digest((module_source or "").encode()).hexdigest(), repr(options.loop), mode, owner,
                fn.__code__.co_freevars, rewrite_loop, options.seed is not None)
    stored = cache.load(disk_key)
    if stored is not None:
        return _NO_LOOP if stored == cache.NO_LOOP else stored
    outcome = _decide(fn, options, source, filename, first_line, mode, module_source, owner, rewrite_loop)
    cache.store(disk_key, cache.NO_LOOP if outcome is _NO_LOOP else outcome)
    return outcome


def _decide(fn: types.FunctionType, options: Options, source: str, filename: str, first_line: int, mode: str,
            module_source: str | None, owner: str | None, rewrite_loop: bool) -> Any:
    """Analyse and rewrite: a ``Rewritten``, ``_NO_LOOP``, or the ``SharedStateError`` to raise."""
    global analyses
    analyses += 1
    from parallelize._analysis import analyze_function, format_findings_for_error

    analysis = analyze_function(source, filename, first_line, loop=True if options.loop is None else options.loop,
                                mode=mode, module_source=module_source)
    from parallelize._analysis.soundness import drop_seeded

    analysis.findings = drop_seeded(analysis.findings, options.seed is not None)
    if analysis.findings:
        message = format_findings_for_error(analysis.findings)
        if _has_noqa(analysis.findings, module_source or source, 1 if module_source else first_line):
            message += "\n" + NOQA_NOTE
        return SharedStateError(f"@{'io_bound' if options.io else 'parallel_for'} on {fn.__qualname__}: {message}\n"
                                f"{WAY_OUT}", analysis.findings)
    if not rewrite_loop:
        return _NO_LOOP
    if analysis.loop is None:
        if isinstance(options.loop, int) and not isinstance(options.loop, bool):
            return SharedStateError(f"loop={options.loop} but {fn.__qualname__} has {analysis.loop_count} "
                                    f"top-level `for` loop(s). {WAY_OUT}")
        return _NO_LOOP
    from parallelize._rewrite.transform import rewrite

    try:
        return rewrite(fn, analysis, filename, owner)
    except SharedStateError as exc:
        return exc


def _has_noqa(findings: Sequence[Finding], text: str, first_line: int) -> bool:
    """Return whether a reported line carries a noqa comment (``text`` starts at file line ``first_line``)."""
    lines = text.splitlines()
    for finding in findings:
        index = finding.line - first_line
        if 0 <= index < len(lines) and _NOQA.search(lines[index]):
            return True
    return False


_NOQA = re.compile(r"#\s*noqa\b", re.IGNORECASE)


def _module_source(filename: str) -> str | None:
    # The whole file (or notebook cell) lets the analysis see module-level names and helpers, as
    # `parallelize check` does. linecache is where inspect found the function's own lines.
    lines = linecache.getlines(filename)
    return "".join(lines) if lines else None


def _unset_runner(*_: Any) -> Any:  # replaced as soon as the wrapper exists
    raise RuntimeError("loop plan used before its wrapper was built")


def _has_loop(fn: types.FunctionType) -> bool:
    return any(ins.opname == "FOR_ITER" for ins in dis.get_instructions(fn))
