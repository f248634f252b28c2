"""Map mode's decoration-time check: the task function is analysed as ``parallelize check`` analyses a task.

A function decorated for map mode (``loop=False``, or no top-level loop) runs as a task on workers. A write to
module-level state, a closure, a class attribute, a mutable default or an argument is then lost (processes) or
raced (threads): the bug this library exists to prevent. The same analysis as the checker, following the same
helpers, finds such writes at decoration; each finding gives one :class:`ParallelizeWarning` at the finding's
own file and line, worded as the checker prints it. ``# noqa: PARxxx`` on that line silences it (read with the
checker's tokenize reader). ``strict`` raises :class:`SharedStateError` instead. A function whose source cannot
be read (a REPL lambda, a builtin, ``exec``) is skipped quietly: there is nothing to analyse.
"""

from __future__ import annotations

import types
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from parallelize._config import resolve_setting
from parallelize._errors import ParallelizeWarning, SharedStateError
from parallelize._options import Options

if TYPE_CHECKING:
    from parallelize._analysis import Finding
    from parallelize._rewrite.pipeline import FunctionSource

#: Findings by (file, first line, source, module source, mode): a factory or a re-run cell skips the analysis.
_CACHE: OrderedDict[tuple[Any, ...], list[Finding]] = OrderedDict()
_CACHE_SIZE = 512
#: The warnings registry for decoration findings: the same finding is shown once, like any warning.
_REGISTRY: dict[Any, Any] = {}


def check_task(function: Any, options: Options) -> None:
    """Warn (or, when strict, raise) for each shared-state mutation the analysis finds in ``function``."""
    raw = function.__func__ if isinstance(function, (staticmethod, classmethod)) else function
    if not isinstance(raw, types.FunctionType) or raw.__name__ == "<lambda>":
        return  # builtins, partials and callables have no body here; a lambda's source is its whole line
    findings = task_findings(raw, options)
    if not findings:
        return
    if resolve_setting("strict", options.strict):
        from parallelize._analysis import format_findings_for_error

        text = format_findings_for_error(findings).replace("this loop cannot run in parallel safely",
                                                           "its tasks change shared state")
        raise SharedStateError(f"@{'io_bound' if options.io else 'parallel_for'}(strict=True) on "
                               f"{raw.__qualname__}: {text}\nReturn the values from the task instead, or "
                               "add `# noqa: CODE` on a line that is safe as written.", findings)
    for finding in findings:
        warnings.warn_explicit(f"parallelize: {finding.format()}", ParallelizeWarning, finding.path, finding.line,
                               module=raw.__module__, registry=_REGISTRY)


def task_findings(fn: types.FunctionType, options: Options) -> list[Finding]:
    """The findings not silenced by ``# noqa``, for ``fn`` as a map-mode task (cached)."""
    from parallelize._rewrite.pipeline import read_source

    try:
        where = read_source(fn, options)
    except (OSError, TypeError):
        return []
    key = (where.filename, where.first_line, where.source, where.module_source, where.mode)
    found = _CACHE.get(key)
    if found is None:
        found = _analyse(where)
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def _analyse(where: FunctionSource) -> list[Finding]:
    from parallelize._analysis import analyze_function

    try:
        analysis = analyze_function(where.source, where.filename, where.first_line, loop=False, mode=where.mode,
                                    module_source=where.module_source)
    except SyntaxError:
        return []  # source that no longer parses (edited since import): nothing reliable to say
    if not analysis.findings:
        return []
    silenced = where.silenced()
    return [f for f in analysis.findings
            if f.code.startswith(TASK_CODES) and f.code not in UNPROVEN_CODES and not silenced(f)]


#: What a task can get wrong: mutations (PAR1xx), `global`/`nonlocal` writes (PAR204) and thread races (PAR4xx).
#: The rest (too complex, several loops, loop-carried dependencies) concerns loops, not map-mode tasks.
TASK_CODES = ("PAR1", "PAR204", "PAR4")
#: Not warned at decoration: PAR109 says only that a call *may* change an outer object (loop mode refuses what it
#: cannot prove); on a map-mode task it would warn on every helper call. Strict mode's live check sees real changes.
UNPROVEN_CODES = frozenset({"PAR109"})
