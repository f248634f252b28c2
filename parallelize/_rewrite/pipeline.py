"""Loop mode at decoration: read the function's source, analyse it, rewrite its loop, and cache the outcome.

    read_source(fn) --> FunctionSource --key()--> memory cache --miss--> disk cache (cache.py) --miss-->
        analyze_function (the checker's analysis) --findings--> SharedStateError (the checker's codes and fixes)
                                                  --no loop---> NO_LOOP
                                                  --safe------> rewrite() --> Rewritten

:func:`prepare` returns a :class:`Prepared` (or None: nothing to rewrite) and raises the refusal. One key serves
both caches, and one sentinel, :data:`~parallelize._rewrite.cache.NO_LOOP`, means "no loop to rewrite" in both.
The decorator (``_decorators/loop_mode.py``) only wires the outcome into its wrapper.
"""

from __future__ import annotations

import dis
import hashlib
import inspect
import linecache
import textwrap
import types
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from parallelize._errors import SharedStateError
from parallelize._options import Options
from parallelize._rewrite.cache import NO_LOOP

if TYPE_CHECKING:
    from parallelize._analysis import Finding
    from parallelize._rewrite.plan import LoopPlan
    from parallelize._rewrite.rewritten import Rewritten

__all__ = ["NOQA_NOTE", "WAY_OUT", "FunctionSource", "Prepared", "global_rng_on_threads", "has_loop", "prepare",
           "read_source"]

WAY_OUT = ("To keep plain calls serial and parallelize per item instead, decorate with loop=False and call "
           "the function's .map(items).")
#: Added when a reported line carries a noqa comment: it silences the checker's report, it cannot make the
#: rewritten loop compute what the serial loop computes, so the decorator still refuses.
NOQA_NOTE = ("`# noqa` silences `parallelize check` only; the decorator still refuses, because running this loop in "
             "parallel would change its result. Restructure the loop as each fix says, or use loop=False.")


@dataclass(frozen=True)
class FunctionSource:
    """What the analysis of a decorated function reads: its own lines and, when known, its whole module."""

    source: str
    filename: str
    first_line: int
    #: The whole file (or notebook cell), so the analysis sees module-level names and helpers as the checker does.
    module_source: str | None
    #: ``"processes"``, ``"threads"`` (``io_bound``) or ``"asyncio"`` (an ``async def``).
    mode: str

    def digest(self) -> tuple[str, str]:
        """Hashes of the function's and the module's text, for cache keys."""
        sha = hashlib.sha256
        return sha(self.source.encode()).hexdigest(), sha((self.module_source or "").encode()).hexdigest()

    def silenced(self) -> Callable[[Finding], bool]:
        """Whether ``# noqa`` silences a finding for ``parallelize check``, read with the checker's own reader
        from the whole module when known (a finding's line is a file line), else from the function's lines."""
        from parallelize._checker.noqa import read

        text, first = (self.module_source, 1) if self.module_source is not None else (self.source, self.first_line)
        suppressions = read(text)
        return lambda finding: suppressions.suppresses(finding.line - first + 1, finding.code)


def read_source(fn: types.FunctionType, options: Options) -> FunctionSource:
    """Read ``fn``'s source as the analysis needs it.

    Raises:
        OSError: Or TypeError, when the source cannot be read (``exec``, a bare interpreter, a builtin).
    """
    lines, first_line = inspect.getsourcelines(fn)
    filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    source = textwrap.dedent("".join(lines)) if not lines[0][:1].isspace() else "".join(lines)
    # linecache is where inspect found the function's own lines.
    module_lines = linecache.getlines(filename)
    mode = "asyncio" if inspect.iscoroutinefunction(fn) else "threads" if options.io else "processes"
    return FunctionSource(source, filename, first_line, "".join(module_lines) if module_lines else None, mode)


@dataclass
class Prepared:
    """A loop that passed the analysis and was rewritten, ready to be bound to a decorated function."""

    rewritten: Rewritten
    #: PAR602 findings that only ``seed=`` made safe: refused at run time on a backend that shares memory.
    global_rng_findings: list[Finding] = field(default_factory=list)
    #: The refusal the analysis gives the loop under threads (``None``: none), asked for at run time on a backend
    #: that shares memory: the decorator analyses for processes, and some bodies are safe only there (an outer
    #: estimator each iteration resets and refits works on its own copy in a worker, but races between threads).
    on_threads: Callable[[], SharedStateError | None] = lambda: None

    def bind(self, fn: types.FunctionType, options: Options, runner: Callable[..., Any]
             ) -> tuple[types.FunctionType, LoopPlan]:
        """The replacement for ``fn`` and the plan it calls, which runs iterations through ``runner``."""
        from parallelize._rewrite.plan import LoopPlan

        plan = LoopPlan(self.rewritten.body_for(fn), self.rewritten.env_names, self.rewritten.live_names, runner,
                        options, self.global_rng_findings, self.on_threads)
        return self.rewritten.function_for(fn, plan), plan


#: Outcomes (a ``Rewritten``, ``NO_LOOP``, or the ``SharedStateError`` to raise) by :func:`_key`: a function
#: decorated again (a factory making closures, a re-run notebook cell with the same code) skips the analysis.
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 256
#: How many functions this process analysed (not found in memory or on disk): for tests and benchmarks.
analyses = 0


def prepare(fn: types.FunctionType, options: Options, *, rewrite_loop: bool = True) -> Prepared | None:
    """Analyse ``fn``'s loop and rewrite it; None when there is no loop to rewrite (or ``rewrite_loop`` is off).

    Raises:
        SharedStateError: The loop is unsafe (the checker's findings), or its source cannot be read.
    """
    try:
        where = read_source(fn, options)
    except (OSError, TypeError) as exc:
        if options.loop in (None, False) and not has_loop(fn):
            return None
        raise SharedStateError(
            f"{fn.__qualname__}: its source code cannot be read ({exc}), so its loop cannot be analysed or "
            f"rewritten (functions made by exec() or typed into a bare interpreter have no source). "
            f"Define it in a file or a notebook cell. {WAY_OUT}") from None
    from parallelize._rewrite.rewritten import owner_class_name

    owner = owner_class_name(fn)
    outcome = _outcome(fn, options, where, owner, rewrite_loop)
    if isinstance(outcome, SharedStateError):
        raise SharedStateError(str(outcome), outcome.findings)
    if outcome == NO_LOOP:
        return None
    # seed= makes the legacy global RNG safe (PAR602) only where each iteration's global state is seeded: on
    # processes and serially, not on threads, which share one global generator.
    rng_findings: list[Finding] = []
    if options.seed is not None:
        unseeded = _outcome(fn, replace(options, seed=None), where, owner, rewrite_loop)
        if isinstance(unseeded, SharedStateError):
            rng_findings = [f for f in unseeded.findings if f.code == "PAR602"]
    if rng_findings and (options.io or options.backend == "threads"):
        raise global_rng_on_threads(fn.__qualname__, rng_findings)

    def on_threads() -> SharedStateError | None:
        if where.mode != "processes":
            return None  # already analysed for threads (io_bound) or the event loop
        found = _outcome(fn, options, replace(where, mode="threads"), owner, rewrite_loop)
        return SharedStateError(str(found), found.findings) if isinstance(found, SharedStateError) else None

    return Prepared(outcome, rng_findings, on_threads)


def global_rng_on_threads(qualname: str, findings: list[Finding]) -> SharedStateError:
    """The refusal of a loop that ``seed=`` made safe on processes, run where threads share one generator."""
    from parallelize._analysis import format_findings_for_error

    return SharedStateError(
        f"{qualname}: seed= cannot make the global RNG safe on threads: they share one global generator, so "
        f"the draws would differ from the serial loop's. {format_findings_for_error(findings)}\n"
        "Draw from `parallelize.rng()` (its own stream per iteration on every backend), or run on processes "
        f"(backend='loky'). {WAY_OUT}", findings)


def has_loop(fn: types.FunctionType) -> bool:
    """Whether ``fn``'s bytecode has a ``for`` loop (cheap: no source needed)."""
    return any(ins.opname == "FOR_ITER" for ins in dis.get_instructions(fn))


def _key(fn: types.FunctionType, options: Options, where: FunctionSource, owner: str | None,
         rewrite_loop: bool) -> tuple[Any, ...]:
    """Everything the outcome depends on; the memory cache's key and, hashed, the disk cache's."""
    return (where.filename, where.first_line, *where.digest(), repr(options.loop), where.mode, owner,
            fn.__code__.co_freevars, rewrite_loop, options.seed is not None)


def _outcome(fn: types.FunctionType, options: Options, where: FunctionSource, owner: str | None,
             rewrite_loop: bool) -> Any:
    """The outcome for ``fn``, from memory, from disk, or analysed now (refusals are kept in memory only)."""
    from parallelize._rewrite import cache

    key = _key(fn, options, where, owner, rewrite_loop)
    outcome = _CACHE.get(key)
    if outcome is None:
        outcome = cache.load(key)
        if outcome is None:
            outcome = _decide(fn, options, where, owner, rewrite_loop)
            cache.store(key, outcome)
        _CACHE[key] = outcome
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return outcome


def _decide(fn: types.FunctionType, options: Options, where: FunctionSource, owner: str | None,
            rewrite_loop: bool) -> Any:
    """Analyse and rewrite: a ``Rewritten``, ``NO_LOOP``, or the ``SharedStateError`` to raise."""
    global analyses
    analyses += 1
    from parallelize._analysis import analyze_function, format_findings_for_error
    from parallelize._analysis.soundness import drop_seeded

    analysis = analyze_function(where.source, where.filename, where.first_line,
                                loop=True if options.loop is None else options.loop, mode=where.mode,
                                module_source=where.module_source)
    analysis.findings = drop_seeded(analysis.findings, options.seed is not None)
    if analysis.findings:
        message = format_findings_for_error(analysis.findings)
        if any(map(where.silenced(), analysis.findings)):  # silenced for the checker, never for the rewrite
            message += "\n" + NOQA_NOTE
        return SharedStateError(f"@{'io_bound' if options.io else 'parallel_for'} on {fn.__qualname__}: {message}\n"
                                f"{WAY_OUT}", analysis.findings)
    if not rewrite_loop:
        return NO_LOOP
    if analysis.loop is None:
        if isinstance(options.loop, int) and not isinstance(options.loop, bool):
            return SharedStateError(f"loop={options.loop} but {fn.__qualname__} has {analysis.loop_count} "
                                    f"top-level `for` loop(s). {WAY_OUT}")
        return NO_LOOP
    from parallelize._rewrite.transform import rewrite

    try:
        return rewrite(fn, analysis, where.filename, owner)
    except SharedStateError as exc:
        return exc

