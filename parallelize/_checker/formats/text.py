"""Text output: ``path:line:col: CODE message`` lines, audit verdicts, statistics and a closing summary."""

from __future__ import annotations

from collections import Counter

from parallelize._analysis import get_rule
from parallelize._checker import Report
from parallelize._checker.settings import Settings


def render(report: Report, settings: Settings) -> str:
    """Return the whole text report."""
    lines: list[str] = []
    if settings.statistics:
        lines += statistics(report)
    else:
        entries = [(f.path, f.line, f.col, 1, f.format()) for f in report.findings]
        if settings.audit:  # each loop's verdict sits with its file's findings
            entries += [(v.path, v.line, v.col, 0, v.format()) for v in report.verdicts]
        lines += [entry[-1] for entry in sorted(entries)]
    lines += [f"{path}: internal error: {message}" for path, message in report.errors]
    lines.append(summary(report, settings))
    return "\n".join(lines) + "\n"


def statistics(report: Report) -> list[str]:
    """Return one line per rule with findings: count, code, slug; most frequent first."""
    counts = Counter(f.code for f in report.findings)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = get_rule(code)
        rows.append(f"{count:>6}  {code}  {rule.slug if rule else ''}")
    return rows


def summary(report: Report, settings: Settings) -> str:
    """Return the closing line, e.g. ``Found 3 findings in 2 files (10 files checked).``"""
    checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
    if report.findings:
        files = len({f.path for f in report.findings})
        count = len(report.findings)
        text = (f"Found {count} finding{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''} "
                f"({checked}).")
    else:
        text = f"All checks passed ({checked})."
    if settings.audit:
        kinds = Counter(v.verdict for v in report.verdicts)
        loops = len(report.verdicts)
        text += (f" {loops} loop{'s' if loops != 1 else ''}: {kinds['safe']} safe, {kinds['safe-with-collection']} "
                 f"safe with collection, {kinds['safe-with-seed']} safe with seed=, {kinds['unsafe']} unsafe.")
        ignored = sum(1 for v in report.verdicts if v.ignored)
        if ignored:
            text = text[:-1] + f" ({ignored} with ignored findings)."
    return text
