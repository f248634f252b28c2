"""``parallelize check --explain CODE``: the rule's documentation, from its docstring (works offline)."""

from __future__ import annotations

from parallelize._analysis import Rule, all_rules, get_rule


def explain(code: str) -> str | None:
    """Return the rendered documentation of ``code``, or ``None`` if no rule has it."""
    rule = get_rule(code.strip())
    if rule is None:
        return None
    return render(rule)


def render(rule: Rule) -> str:
    """Return a rule's page: code, slug, summary, default state, then its docs."""
    state = "on by default" if rule.default else "off by default (select it, or --strict)"
    return f"{rule.code} ({rule.slug})\n\n{rule.summary}.\nFamily: {rule.family}; {state}.\n\n{rule.doc}\n"


def table() -> str:
    """Return the Markdown table of every rule: ``| PAR101 | slug | summary |``."""
    rows = ["| Code | Name | What it reports |", "|------|------|-----------------|"]
    rows += [f"| {r.code} | {r.slug} | {r.summary.replace('|', '/')} |" for r in all_rules()]
    return "\n".join(rows)
