"""The shared-state analysis: pure, AST in → facts and findings out. It never imports or runs the code.

Two entry points serve every front end (pyflakes' checker/messages/reporter split):

* :func:`analyze_function` for the loop rewriter: one decorated function, one chosen loop;
* :func:`analyze_module` for ``parallelize check`` and the flake8 plugin: every task in a module, and with
  ``audit=True`` a verdict for every ``for`` loop.

Data flow: ``source`` (decode, parse) → ``context`` (scopes, bindings, summaries) → ``targets`` (what runs in
parallel) → ``tasks`` (``loops`` + ``collectors`` + the ``effects`` walk over statements, ``expressions`` within
them) → ``rules`` (effects → findings).
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from collections.abc import Mapping

from parallelize._analysis.context import FunctionNode, ModuleContext
from parallelize._analysis.facts import (
    Collector,
    Effect,
    FunctionAnalysis,
    LoopFacts,
    LoopVerdict,
    ModuleAnalysis,
    Owner,
    Reduction,
)
from parallelize._analysis.loops import all_loops, candidate_loops, choose_loop
from parallelize._analysis.rules import Finding, Rule, all_rules, get_rule
from parallelize._analysis.soundness import drop_seeded, seeded
from parallelize._analysis.source import SourceProblem, decode, parse, parse_function
from parallelize._analysis.stale import stale_effects
from parallelize._analysis.targets import discover
from parallelize._analysis.tasks import analyze_loop, analyze_task, dedupe, to_findings

__all__ = [
    "Collector", "Finding", "FunctionAnalysis", "LoopFacts", "LoopVerdict", "ModuleAnalysis", "Reduction", "Rule",
    "all_rules", "analyze_function", "analyze_module", "analyze_source_bytes", "format_findings_for_error",
    "get_rule",
]


def analyze_function(
    source: str,
    filename: str,
    first_line: int,
    *,
    loop: int | bool | None = None,
    mode: str = "processes",
    strict: bool = False,
    module_source: str | None = None,
) -> FunctionAnalysis:
    """Analyse one function for ``@parallel_for``/``@io_bound``: its chosen loop, or the whole function.

    Args:
        source: The source of one ``def`` (decorators included), possibly indented.
        filename: File name used in findings.
        first_line: The file line of the source's first line.
        loop: ``None`` picks the only top-level loop (map mode if there is none; a PAR205 finding if there are
            several); ``True`` the same, but never map mode; ``N`` the N-th loop counting from 1; ``False`` map
            mode (the whole function is the task).
        mode: ``"processes"``, ``"threads"`` or ``"asyncio"`` (``async def`` under ``@io_bound``); decides
            which writes are bugs.
        strict: Also report outer objects passed to calls the analysis cannot see (PAR901).
        module_source: The whole module's text, when available: the function is then analysed in its module, so
            module-level names and same-module helpers are known exactly as ``parallelize check`` knows them.

    Returns:
        The findings (empty means safe), the loop facts and the parsed tree. Findings carry real file lines.
    """
    try:
        tree, func, extra = parse_function(source, filename)
    except (SourceProblem, RecursionError, MemoryError) as exc:
        effect = exc.effect if isinstance(exc, SourceProblem) else _too_complex(filename, exc)
        ctx = ModuleContext(ast.Module(body=[], type_ignores=[]), filename, first_line - 1)
        return FunctionAnalysis(to_findings(ctx, [effect], mode, loop=True), None, 0, None, None, first_line - 1)
    in_module = _function_in_module(module_source, filename, func.name, first_line, source.count("\n") + 1)
    if in_module is not None:
        tree, func = in_module
        ctx = _module_context(tree, filename, strict)
    else:
        ctx = ModuleContext(tree, filename, first_line - 1 - extra, strict=strict)
    loops = candidate_loops(func.body)
    result = FunctionAnalysis([], None, len(loops), tree, func, ctx.line_offset)
    try:
        if loop is False or (loop is None and not loops):
            result.findings = to_findings(ctx, analyze_task(ctx, func), mode, loop=False)
            return result
        chosen = choose_loop(loops, loop)
        if chosen == "several":
            result.findings = to_findings(ctx, [_several_loops(func, len(loops))], mode, loop=True)
            return result
        if not isinstance(chosen, ast.For):
            return result
        facts, effects = analyze_loop(ctx, func, chosen, loops.index(chosen) + 1)
        result.loop = facts
        result.findings = dedupe(to_findings(ctx, effects, mode, loop=True))
    except (RecursionError, MemoryError) as exc:
        result.findings = to_findings(ctx, [_too_complex(filename, exc)], mode, loop=True)
    return result


def analyze_module(
    source: str,
    path: str,
    *,
    audit: bool = False,
    strict: bool = False,
    parallel_callables: Mapping[str, str] | None = None,
) -> ModuleAnalysis:
    """Analyse every task of a module (and with ``audit=True`` every ``for`` loop).

    Args:
        source: The module's text.
        path: File name used in findings.
        audit: Also give every ``for`` loop a verdict; unsafe loops add their findings.
        strict: Also report outer objects passed to calls the analysis cannot see (PAR901).
        parallel_callables: The project's own map functions, by qualified name (``"mylib.pmap"``) → where their
            tasks run (``"processes"`` or ``"threads"``); the function each is given as its first argument is a
            task.

    Returns:
        Sorted, de-duplicated findings, the audit verdicts, and loop and line counts. Input problems (syntax
        errors, nesting too deep) are PAR0xx findings, never exceptions.
    """
    lines = source.count("\n") + (0 if source.endswith("\n") or not source else 1)
    try:
        tree = parse(source, path)
        return _analyze_tree(tree, path, audit=audit, strict=strict, lines=lines,
                             parallel_callables=parallel_callables or {})
    except SourceProblem as problem:
        ctx = ModuleContext(ast.Module(body=[], type_ignores=[]), path)
        return ModuleAnalysis(to_findings(ctx, [problem.effect], "processes", loop=False), lines=lines)
    except (RecursionError, MemoryError) as exc:
        ctx = ModuleContext(ast.Module(body=[], type_ignores=[]), path)
        return ModuleAnalysis(to_findings(ctx, [_too_complex(path, exc)], "processes", loop=False), lines=lines)


def analyze_source_bytes(
    data: bytes,
    path: str,
    *,
    audit: bool = False,
    strict: bool = False,
    parallel_callables: Mapping[str, str] | None = None,
) -> ModuleAnalysis:
    """Decode file bytes (PEP 263 aware) and analyse them (as :func:`analyze_module`); undecodable input becomes a
    PAR001 finding."""
    try:
        text = decode(data, path)
    except SourceProblem as problem:
        ctx = ModuleContext(ast.Module(body=[], type_ignores=[]), path)
        return ModuleAnalysis(to_findings(ctx, [problem.effect], "processes", loop=False))
    return analyze_module(text, path, audit=audit, strict=strict, parallel_callables=parallel_callables)


#: Parsed modules and their contexts, by (file, text): decorating a module's functions one after the other parses
#: and indexes the module once (the analysis never changes a tree; the rewriter works on copies).
_MODULES: OrderedDict[tuple[str, str], ast.Module | None] = OrderedDict()
_CONTEXTS: dict[tuple[int, bool], tuple[ast.Module, ModuleContext]] = {}
_MODULES_KEPT = 16


def _parsed_module(module_source: str, filename: str) -> ast.Module | None:
    key = (filename, module_source)
    if key in _MODULES:
        _MODULES.move_to_end(key)
        return _MODULES[key]
    try:
        module: ast.Module | None = parse(module_source, filename)
    except (SourceProblem, RecursionError, MemoryError):
        module = None
    _MODULES[key] = module
    while len(_MODULES) > _MODULES_KEPT:
        _key, dropped = _MODULES.popitem(last=False)
        for strict in (False, True):
            _CONTEXTS.pop((id(dropped), strict), None)
    return module


def _module_context(tree: ast.Module, filename: str, strict: bool) -> ModuleContext:
    found = _CONTEXTS.get((id(tree), strict))
    if found is None or found[0] is not tree:
        found = (tree, ModuleContext(tree, filename, 0, strict=strict))
        _CONTEXTS[(id(tree), strict)] = found
    return found[1]


def _function_in_module(module_source: str | None, filename: str, name: str, first_line: int,
                        n_lines: int) -> tuple[ast.Module, FunctionNode] | None:
    """Find the ``def`` that starts within ``first_line .. first_line + n_lines`` in the parsed module."""
    if module_source is None:
        return None
    module = _parsed_module(module_source, filename)
    if module is None:
        return None
    for node in ast.walk(module):
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
                and first_line <= node.lineno < first_line + n_lines):
            return module, node
    return None


def format_findings_for_error(findings: list[Finding]) -> str:
    """Return the text of a ``SharedStateError``: a headline, then one ``path:line:col: CODE message`` each."""
    if not findings:
        return "the loop cannot be run in parallel"
    count = len(findings)
    head = f"this loop cannot run in parallel safely ({count} problem{'s' if count != 1 else ''}):"
    return "\n".join([head, *(f"  {f.format()}" for f in findings)])


def _too_complex(path: str, exc: BaseException) -> Effect:
    node = ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=0)
    return Effect("too-complex", node, {"name": path, "stmt": f"{type(exc).__name__}: nesting is too deep"})


def _analyze_tree(tree: ast.Module, path: str, *, audit: bool, strict: bool, lines: int,
                  parallel_callables: Mapping[str, str]) -> ModuleAnalysis:
    ctx = ModuleContext(tree, path, strict=strict, parallel_callables=parallel_callables)
    targets, handover = discover(ctx)
    findings: list[Finding] = []
    for effect, mode in handover:
        findings += to_findings(ctx, [effect], mode, loop=False)
    findings += to_findings(ctx, stale_effects(ctx), "processes", loop=False)  # the caller's side (PAR5xx)
    for target in targets:
        # Loop mode when the decorator allows it and the function has a loop; map mode otherwise.
        node = target.node
        if target.loop is False or isinstance(node, ast.Lambda) or not candidate_loops(
            node.body
        ):
            effects = analyze_task(ctx, node, target.shared)
            if target.keep is not None:
                effects = [e for e in effects if target.keep(e)]
            findings += to_findings(ctx, effects, target.mode, loop=False)
            continue
        findings += drop_seeded(_loop_mode(ctx, node, target.loop, target.mode), seeded(node))
    result = ModuleAnalysis([], loops=0, lines=lines)
    for loop, scope in all_loops(tree):
        result.loops += 1
        if not audit:
            continue
        facts, effects = analyze_loop(ctx, scope, loop, 0)
        loop_findings = drop_seeded(dedupe(to_findings(ctx, effects, "processes", loop=True)), seeded(scope))
        findings += loop_findings
        names = tuple(dict.fromkeys([c.name for c in facts.collectors] + [r.name for r in facts.reductions]))
        if loop_findings:
            # Only the global RNG in the way: `@parallel_for(seed=...)` accepts it (on processes).
            kind = "unsafe" if drop_seeded(loop_findings, True) else "safe-with-seed"
            verdict = LoopVerdict(path, loop.lineno, loop.col_offset + 1, kind,
                                  tuple(sorted({f.code for f in loop_findings})),
                                  names if kind == "safe-with-seed" else (),
                                  sites=tuple((f.line, f.code) for f in loop_findings))
        elif names:
            verdict = LoopVerdict(path, loop.lineno, loop.col_offset + 1, "safe-with-collection", (), names)
        else:
            verdict = LoopVerdict(path, loop.lineno, loop.col_offset + 1, "safe")
        result.verdicts.append(verdict)
    result.verdicts.sort(key=lambda v: (v.line, v.col))
    result.findings = dedupe(findings)
    return result


def _loop_mode(ctx: ModuleContext, func: FunctionNode, option: object, mode: str) -> list[Finding]:
    loops = candidate_loops(func.body)
    chosen = choose_loop(loops, option)
    if chosen == "several":
        return to_findings(ctx, [_several_loops(func, len(loops))], mode, loop=True)
    if not isinstance(chosen, ast.For):
        return []
    _facts, effects = analyze_loop(ctx, func, chosen, loops.index(chosen) + 1)
    return to_findings(ctx, effects, mode, loop=True)


def _several_loops(func: FunctionNode, count: int) -> Effect:
    return Effect("several-loops", func, {"stmt": func.name, "name": str(count), "where": "loop mode"})


_UNUSED = (Owner,)  # re-exported for type checkers of the rewriter
