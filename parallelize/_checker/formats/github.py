"""GitHub Actions workflow commands: ``::error title=PAR101,file=...,line=...::message``."""

from __future__ import annotations

from parallelize._checker import Report
from parallelize._checker.settings import Settings


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, settings: Settings) -> str:
    """Return one annotation per finding (and a notice per unsafe loop is not repeated: findings say it)."""
    lines = []
    for f in report.findings:
        props = (f"title={_property(f.code)},file={_property(f.path)},line={f.line},col={f.col},"
                 f"endLine={f.end_line or f.line},endColumn={f.end_col or f.col}")
        lines.append(f"::error {props}::{_data(f.code + ' ' + f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
