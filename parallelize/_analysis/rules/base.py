"""The two records every front end shares: :class:`Rule` (code, slug, message, doc) and :class:`Finding`.

A rule is data plus one predicate over the analysis facts (:class:`~parallelize._analysis.facts.Effect`). A finding
keeps the values that went into its message (``args``) so tests compare values, not prose (pyflakes'
``message_args``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect

FAMILIES = {
    "0": "input",
    "1": "mutation of outer objects",
    "2": "control flow",
    "3": "loop-carried dependency",
    "4": "thread-only race",
    "5": "stale snapshot",
    "6": "global state",
    "9": "advisory (off by default)",
}
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Known problems")
#: Each rule's section on the documentation site's rules page (mkdocs.yml's site_url, docs/rules.md) is anchored at
#: its lower-case code.
DOCS_URL = "https://parallelize.github.io/parallelize/rules/#{code}"


@dataclass(frozen=True)
class Rule:
    """One stable rule: a code that is never reused, a kebab-case slug, and a message template.

    Attributes:
        code: ``PAR`` and three digits; the first digit is the family.
        slug: Kebab-case name used by docs and ``--explain``.
        summary: One-line description for tables.
        template: ``str.format`` template; the checker appends ``"; " + fix`` (already in ``args["fix"]``).
        fix_loop: The remedy when the finding is on a parallel loop.
        fix_task: The remedy when the finding is in a task function (map mode).
        kinds: Effect kinds (facts) this rule reports.
        predicate: Extra test on an effect and the mode (``"processes"``/``"threads"``).
        default: Whether the rule is selected by default (advisory rules are not).
        doc: The rule's documentation in ruff's layout.
        process_consequence: What goes wrong under process workers (``{consequence}`` in the template).
        thread_consequence: What goes wrong under threads.
    """

    code: str
    slug: str
    summary: str
    template: str
    fix_loop: str
    fix_task: str
    kinds: frozenset[str] = frozenset()
    predicate: Callable[[Effect, str], bool] | None = None
    default: bool = True
    doc: str = ""
    process_consequence: str = ""
    thread_consequence: str = ""

    def consequence(self, mode: str) -> str:
        """Return the ``{consequence}`` text of a finding under ``mode``."""
        if mode == "threads":
            return self.thread_consequence or THREAD_CONSEQUENCE
        return self.process_consequence or PROCESS_CONSEQUENCE

    @property
    def family(self) -> str:
        """Return the family name, from the first digit of the code."""
        return FAMILIES[self.code[3]]

    @property
    def url(self) -> str:
        """Return the stable documentation URL of the rule."""
        return DOCS_URL.format(code=self.code.lower())

    def matches(self, effect: Effect, mode: str) -> bool:
        """Return whether ``effect`` is reported by this rule under ``mode``."""
        if effect.kind not in self.kinds:
            return False
        return self.predicate is None or self.predicate(effect, mode)


def documented(func: Callable[..., object]) -> str:
    """Return the cleaned docstring of ``func`` (rule docs live in docstrings, shipped with the package)."""
    return inspect.cleandoc(func.__doc__ or "")


@dataclass(frozen=True)
class Finding:
    """A rule reported at one place; the same object for ``parallelize check`` and ``SharedStateError``.

    Attributes:
        rule: The rule.
        path: File name as given to the analysis.
        line: 1-based line of the offending statement.
        col: 1-based column.
        args: The values that went into the message.
        end_line: Last line of the offending node.
        end_col: 1-based column after its end.
    """

    rule: Rule
    path: str
    line: int
    col: int
    args: Mapping[str, str] = field(default_factory=dict)
    end_line: int = 0
    end_col: int = 0

    @property
    def code(self) -> str:
        """Return the rule code, e.g. ``PAR101``."""
        return self.rule.code

    @property
    def message(self) -> str:
        """Return the one-line message: what, the object and where it was bound, then the fix."""
        try:
            return self.rule.template.format_map(_Defaulting(self.args))
        except (ValueError, IndexError):  # a stray brace in an argument must never crash a run
            return self.rule.summary

    def format(self) -> str:
        """Return ``path:line:col: CODE message`` (ruff's concise format)."""
        return f"{self.path}:{self.line}:{self.col}: {self.rule.code} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Return the key that gives the deterministic output order."""
        return (self.path, self.line, self.col, self.rule.code)


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


REGISTRY: dict[str, Rule] = {}
PROCESS_CONSEQUENCE = "each process worker changes its own copy and the caller never sees it"
THREAD_CONSEQUENCE = "threads race on it"


def rule(
    code: str,
    slug: str,
    *,
    kinds: set[str],
    summary: str,
    template: str,
    fix_loop: str,
    fix_task: str = "",
    default: bool = True,
    process_consequence: str = "",
    thread_consequence: str = "",
) -> Callable[[Callable[[Effect, str], bool]], Rule]:
    """Turn a predicate whose docstring is the rule's documentation into a registered :class:`Rule`.

    Args:
        code: The stable code (never reused).
        slug: Kebab-case name.
        kinds: Effect kinds the rule reports.
        summary: One line for tables.
        template: Message template over the effect's ``args``; it must end with ``{fix}``.
        fix_loop: Remedy on a parallel loop.
        fix_task: Remedy in a task function (defaults to ``fix_loop``).
        default: Selected by default.
        process_consequence: What goes wrong under processes, when not "each worker changes its own copy".
        thread_consequence: What goes wrong under threads, when not "threads race on it".

    Returns:
        A decorator producing the rule.
    """

    def decorate(predicate: Callable[[Effect, str], bool]) -> Rule:
        if code in REGISTRY:
            raise ValueError(f"rule code {code} is registered twice; codes are never reused")
        made = Rule(code, slug, summary, template, fix_loop, fix_task or fix_loop, frozenset(kinds), predicate,
                    default, documented(predicate), process_consequence, thread_consequence)
        REGISTRY[code] = made
        return made

    return decorate


def copies_or_races(effect: Effect, mode: str) -> bool:
    """Return whether a write to an outer object is a bug under ``mode``.

    Under processes every such write is lost. Under threads a write inside ``with lock:`` is safe, and so is a
    write to the loop's own item (each thread has a different one and shares memory with the caller). Under
    ``"asyncio"`` (``async def`` under ``@io_bound``) writes are seen by the caller and never interleave
    mid-statement.
    """
    if mode == "asyncio":
        return False  # coroutines share one thread with the caller: the write is seen, and does not race
    if mode != "threads":
        return True
    if effect.locked or effect.args.get("slot") == "own":
        return False
    return effect.owner is None or effect.owner.kind != "item"


def always(effect: Effect, mode: str) -> bool:
    """Report the effect under every mode."""
    return True
