"""Typed facts the analysis produces: owners of objects, effects of statements, loops and their verdicts.

The rules (``rules/``) are small predicates over :class:`Effect`; the loop rewriter reads :class:`LoopFacts`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parallelize._analysis.rules.base import Finding


@dataclass(frozen=True)
class Owner:
    """Where an object that a task touches was bound, outside the task.

    Attributes:
        name: The outer name (``results``), or the name an alias stands for.
        line: Line of its first binding (0 when unknown).
        kind: ``"before-loop"``, ``"parameter"``, ``"module"``, ``"closure"``, ``"default"`` (a mutable
            default argument), ``"item"`` (an element of an outer collection) or ``"alias"``.
        via: For aliases and items, the name the task used (``r`` in ``r = results``).
        sync: The object is a synchronised primitive (queue, manager proxy, lock), safe to mutate.
        lock: The name is a lock (for ``with lock:`` suppression under threads).
        value: The expression the outer name was bound to, when it was a plain assignment or a default
            (``out.append`` in ``add = out.append``); not part of equality.
    """

    name: str
    line: int
    kind: str
    via: str = ""
    sync: bool = False
    lock: bool = False
    value: ast.expr | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """Return ``"`results` (bound at line 12)"``-style text naming the object and its binding line."""
        where = {
            "parameter": f"a parameter, line {self.line}",
            "module": f"module-level, bound at line {self.line}",
            "closure": f"an enclosing function's variable, bound at line {self.line}",
            "default": f"a mutable default argument, line {self.line}",
        }.get(self.kind, f"bound at line {self.line}")
        if self.kind == "item":
            return f"`{self.via}` (an element of `{self.name}`, bound at line {self.line})"
        if self.via and self.via != self.name:
            return f"`{self.via}` (an alias of `{self.name}`, {where})"
        return f"`{self.name}` ({where})"


@dataclass(frozen=True)
class Effect:
    """One thing a task's statement does that a rule may report.

    Attributes:
        kind: The fact, e.g. ``"subscript-store"``, ``"mutating-call"``, ``"break"``, ``"carried-read"``.
        node: The offending AST node (its position is reported).
        args: Values for the message template (``stmt``, ``name``, ``bound`` ...).
        owner: The outer object involved, when there is one.
        locked: The statement sits inside ``with lock:`` (suppresses thread races, not process copies).
    """

    kind: str
    node: ast.AST
    args: dict[str, str] = field(default_factory=dict)
    owner: Owner | None = None
    locked: bool = False


@dataclass(frozen=True)
class Collector:
    """An allowed collection form on a name bound before the loop, applied in the parent in iteration order.

    Attributes:
        name: The accumulator's name.
        kind: ``"append"``, ``"extend"``, ``"add"``, ``"setitem"`` or ``"update"``, or one of them on the element
            under a key (``"keyed-append"`` ... ``"keyed-setitem"`` for ``acc[k][j] = e``).
        node: The statement (``ast.Expr`` for method forms, ``ast.Assign`` for ``acc[k] = e``).
        lineno: Its line in the parsed tree (add ``line_offset`` for the file line).
    """

    name: str
    kind: str
    node: ast.stmt
    lineno: int


@dataclass(frozen=True)
class Reduction:
    """An allowed reduction (``acc += e``, ``acc = acc * e``, ``acc = max(acc, e)`` ...).

    Attributes:
        name: The accumulator's name.
        op: ``"+"``, ``"-"``, ``"*"``, ``"|"``, ``"&"``, ``"max"`` or ``"min"``.
        node: The statement (``ast.AugAssign`` or ``ast.Assign``).
        value: The expression combined into the accumulator (``e``).
        lineno: Its line in the parsed tree.
    """

    name: str
    op: str
    node: ast.stmt
    value: ast.expr
    lineno: int


@dataclass
class LoopFacts:
    """Everything known about one candidate loop.

    Attributes:
        node: The ``ast.For`` node.
        index: 1-based position among the candidate loops (what ``loop=N`` means).
        collectors: The allowed collection forms found in the body.
        reductions: The allowed reductions found in the body.
        private: Names bound inside an iteration (the loop target included).
        live_after: Private names read after the loop (they hold the last iteration's values).
        shared_reads: Outer names the body only reads.
        before: Names definitely bound before the loop (parameters included).
        tails: Proved ``res[-1].append(e)`` statements (kind ``"append"`` or ``"extend"``): ``res[-1]`` is the
            element the same iteration appended to ``res`` (:mod:`~parallelize._analysis.patterns`).
        own_slices: ``X[.., j, ..] = e`` accumulators whose body reads only the iteration's own slice: the body
            needs ``X``, and the caller assigns the slices after every iteration has run.
    """

    node: ast.For
    index: int
    collectors: list[Collector] = field(default_factory=list)
    reductions: list[Reduction] = field(default_factory=list)
    private: set[str] = field(default_factory=set)
    live_after: set[str] = field(default_factory=set)
    shared_reads: set[str] = field(default_factory=set)
    before: set[str] = field(default_factory=set)
    tails: list[Collector] = field(default_factory=list)
    own_slices: set[str] = field(default_factory=set)


@dataclass
class FunctionAnalysis:
    """The answer of :func:`~parallelize._analysis.analyze_function`.

    Attributes:
        findings: Findings for the chosen loop (or the whole function in map mode); empty means safe.
        loop: The chosen loop, or ``None`` (map mode, no loop, or ambiguous).
        loop_count: Number of candidate top-level loops.
        tree: The module parsed from the dedented source (``None`` if it did not parse).
        function: The function definition inside ``tree``.
        line_offset: Add to a node's ``lineno`` to get the file line.
        col_offset: Columns removed by dedenting.
    """

    findings: list[Finding]
    loop: LoopFacts | None
    loop_count: int
    tree: ast.Module | None
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    line_offset: int = 0
    col_offset: int = 0


@dataclass(frozen=True)
class LoopVerdict:
    """The ``--audit`` verdict for one ``for`` loop.

    Attributes:
        path: File name.
        line: Line of the ``for``.
        col: 1-based column of the ``for``.
        verdict: ``"safe"``, ``"safe-with-collection"``, ``"safe-with-seed"`` (only the global random
            generator is in the way: ``@parallel_for(seed=...)`` accepts it on processes) or ``"unsafe"``.
        codes: Rule codes that make it unsafe (or need ``seed=``) and are reported (sorted, unique).
        collects: Accumulators collected or reduced (for ``safe-with-collection`` and ``safe-with-seed``).
        ignored: Rule codes that make it unsafe but whose findings are not reported (``--ignore``,
            ``per-file-ignores``, ``# noqa``): the loop stays unsafe, and says so.
        sites: (line, code) of every finding that makes it unsafe, for the front end's suppressions.
    """

    path: str
    line: int
    col: int
    verdict: str
    codes: tuple[str, ...] = ()
    collects: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    sites: tuple[tuple[int, str], ...] = field(default=(), compare=False, repr=False)

    def format(self) -> str:
        """Return ``path:line:col: loop <verdict> ...`` for the text report."""
        parts = [", ".join(self.codes)] if self.codes else []
        parts += ["ignored: " + ", ".join(self.ignored)] if self.ignored else []
        if self.verdict == "safe-with-seed":
            parts = ["pass `seed=`: " + "; ".join(parts)]
        if self.collects and self.verdict != "unsafe":
            parts.append("collects " + ", ".join(f"`{n}`" for n in self.collects))
        extra = " (" + "; ".join(parts) + ")" if parts else ""
        return f"{self.path}:{self.line}:{self.col}: loop {self.verdict}{extra}"


@dataclass
class ModuleAnalysis:
    """The answer of :func:`~parallelize._analysis.analyze_module`.

    Attributes:
        findings: Sorted, de-duplicated findings for the module.
        verdicts: One verdict per ``for`` loop when ``audit=True``.
        loops: Number of ``for`` loops in the module.
        lines: Number of source lines.
    """

    findings: list[Finding]
    verdicts: list[LoopVerdict] = field(default_factory=list)
    loops: int = 0
    lines: int = 0
