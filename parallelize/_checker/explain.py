"""``parallelize check --explain CODE``: the rule's documentation, from its docstring (works offline).

The documentation site's rule table and rules page are rendered here too (``docs/hooks.py`` calls
:func:`table` and :func:`markdown` at build time), so a rule's text is written once, in its docstring.
"""

from __future__ import annotations

import re

from parallelize._analysis import Rule, all_rules, get_rule


def explain(code: str) -> str | None:
    """Return the rendered documentation of ``code``, or ``None`` if no rule has it."""
    rule = get_rule(code.strip())
    if rule is None:
        return None
    return render(rule)


def render(rule: Rule) -> str:
    """Return a rule's page: code, slug, summary, default state, then its docs."""
    return f"{rule.code} ({rule.slug})\n\n{_about(rule)}\n\n{rule.doc}\n"


def markdown(rule: Rule, level: int = 2) -> str:
    """Return what :func:`render` says, as a Markdown section for the documentation site.

    The heading is anchored at the lower-case code (``#par101``, the fragment of :attr:`Rule.url`), and the
    doc's own ``## What it does``... sections move to one level below it.
    """
    return f"{'#' * level} {rule.code} {rule.slug} {{#{rule.code.lower()}}}\n\n{_about(rule)}\n\n" \
        f"{_shift_headings(rule.doc, level - 1)}\n"


def table() -> str:
    """Return the Markdown table of every rule: ``| PAR101 | slug | summary |``."""
    rows = ["| Code | Name | What it reports |", "|------|------|-----------------|"]
    rows += [f"| {r.code} | {r.slug} | {r.summary.replace('|', '/')} |" for r in all_rules()]
    return "\n".join(rows)


def _about(rule: Rule) -> str:
    state = "on by default" if rule.default else "off by default (select it, or --strict)"
    return f"{rule.summary}.\nFamily: {rule.family}; {state}."


def _shift_headings(doc: str, by: int) -> str:
    # Headings outside code fences only: a "## " line inside a ```python example is a comment.
    lines, fenced = [], False
    for line in doc.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        lines.append("#" * by + line if not fenced and re.match(r"#+ ", line) else line)
    return "\n".join(lines)
