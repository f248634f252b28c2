"""JSON output in ruff's shape (a list; ``[]`` when clean); audit verdicts as records with a ``verdict`` field."""

from __future__ import annotations

import json
from typing import Any

from parallelize._analysis import Finding, LoopVerdict
from parallelize._checker import Report
from parallelize._checker.settings import Settings


def finding_record(finding: Finding, noqa_row: int | None = None) -> dict[str, Any]:
    """Return one finding in ruff's JSON shape (``noqa_row``: where its ``# noqa`` goes, if not on its line)."""
    return {
        "cell": None,
        "code": finding.code,
        "message": finding.message,
        "filename": finding.path,
        "location": {"row": finding.line, "column": finding.col},
        "end_location": {"row": finding.end_line or finding.line, "column": finding.end_col or finding.col},
        "noqa_row": noqa_row or finding.line,
        "url": finding.rule.url,
        "fix": None,
        "symbol": finding.rule.slug,
        "args": dict(finding.args),
    }


def verdict_record(verdict: LoopVerdict) -> dict[str, Any]:
    """Return one audit verdict (``code`` is null: a verdict is not a finding)."""
    return {
        "cell": None,
        "code": None,
        "message": verdict.format().split(": ", 1)[1],
        "filename": verdict.path,
        "location": {"row": verdict.line, "column": verdict.col},
        "end_location": {"row": verdict.line, "column": verdict.col},
        "noqa_row": None,
        "url": None,
        "fix": None,
        "verdict": verdict.verdict,
        "codes": list(verdict.codes),
        "ignored": list(verdict.ignored),
        "collects": list(verdict.collects),
    }


def render(report: Report, settings: Settings) -> str:
    """Return the JSON document."""
    records = [finding_record(f, report.noqa_rows.get((f.path, f.line))) for f in report.findings]
    if settings.audit:
        records += [verdict_record(v) for v in report.verdicts]
    return json.dumps(records, indent=2) + "\n"
