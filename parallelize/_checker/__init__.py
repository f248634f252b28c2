"""``parallelize check``: a front end only. Files, settings, noqa and formats live here; every verdict comes from
:mod:`parallelize._analysis`, the same analysis that ``@parallel_for`` runs at decoration.
"""

from __future__ import annotations

import io
import sys
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path

from parallelize._analysis import Finding, LoopVerdict, analyze_source_bytes
from parallelize._checker import noqa
from parallelize._checker.files import discover, display
from parallelize._checker.settings import Settings

__all__ = ["Report", "check_bytes", "check_paths", "run_demo_step"]


@dataclass
class Report:
    """The outcome of a run.

    Attributes:
        findings: Selected, unsuppressed findings, sorted.
        verdicts: Audit verdicts (``--audit``), sorted.
        files: Number of files checked.
        loops: Number of ``for`` loops seen.
        lines: Number of source lines read.
        errors: Internal errors (file, message); they make the exit code 2.
        noqa_rows: (file, line) → the line whose ``# noqa`` governs findings on it, where the two differ (the
            line ends inside a multi-line string or with a backslash).
    """

    findings: list[Finding] = field(default_factory=list)
    verdicts: list[LoopVerdict] = field(default_factory=list)
    files: int = 0
    loops: int = 0
    lines: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    noqa_rows: dict[tuple[str, int], int] = field(default_factory=dict)


def check_bytes(data: bytes, name: str, settings: Settings, report: Report) -> None:
    """Check one file's bytes and add the results to ``report`` (``name`` also decides its ``per-file-ignores``)."""
    selected = settings.selected_for(Path(name))
    try:
        result = analyze_source_bytes(data, name, audit=settings.audit, strict="PAR901" in selected,
                                      parallel_callables=settings.parallel_callables)
    except Exception as exc:  # an analysis bug must not stop the run; it is reported and exits 2
        report.errors.append((name, f"{type(exc).__name__}: {exc}"))
        return
    report.files += 1
    report.loops += result.loops
    report.lines += result.lines
    findings = [f for f in result.findings if f.code in selected]
    unsafe = any(v.verdict in {"unsafe", "safe-with-seed"} for v in result.verdicts)
    suppressions = noqa.read(_decode(data)) if findings or unsafe else noqa.Suppressions()
    findings = [f for f in findings if not suppressions.suppresses(f.line, f.code)]
    for finding in findings:
        row = suppressions.comment_line(finding.line)
        if row != finding.line:
            report.noqa_rows[(finding.path, finding.line)] = row
    report.findings.extend(findings)
    if settings.audit:
        report.verdicts += [_shown(v, selected, suppressions) for v in result.verdicts]


def _shown(verdict: LoopVerdict, selected: frozenset[str], suppressions: noqa.Suppressions) -> LoopVerdict:
    """Return the verdict as reported: a loop stays unsafe when its findings are ignored or carry ``# noqa``.

    Ignoring a finding hides it; it does not make the loop safe to parallelize. The codes whose findings are all
    unselected or suppressed move to ``ignored`` (``loop unsafe (ignored: PAR102)``).
    """
    if verdict.verdict not in {"unsafe", "safe-with-seed"}:
        return verdict
    shown = {code for line, code in verdict.sites
             if code in selected and not suppressions.suppresses(line, code)}
    codes = tuple(c for c in verdict.codes if c in shown)
    ignored = tuple(c for c in verdict.codes if c not in shown)
    return replace(verdict, codes=codes, ignored=ignored)


def _decode(data: bytes) -> str:
    """Decode as the analysis did (BOM, PEP 263, UTF-8), replacing what does not decode (a PAR001 file)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def check_paths(paths: list[str], settings: Settings) -> Report:
    """Check files and folders (``-`` reads standard input) and return the report.

    Raises:
        FileNotFoundError: A path does not exist.
    """
    report = Report()
    for given in paths:
        if given == "-":
            check_bytes(sys.stdin.buffer.read(), settings.stdin_filename, settings, report)
            continue
        for path in discover([given], settings.root, settings.exclude, settings.force_exclude):
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.errors.append((display(path), f"cannot read: {exc.strerror or exc}"))
                continue
            check_bytes(data, display(path), settings, report)
    report.findings.sort(key=Finding.sort_key)
    report.verdicts.sort(key=lambda v: (v.path, v.line, v.col))
    return report


def run_demo_step(path: str | Path) -> str:
    """Return what ``parallelize demo`` prints for the legacy examples: findings, then every loop's verdict."""
    from parallelize._checker.formats.text import render

    settings = Settings(audit=True, root=Path(path) if Path(path).is_dir() else Path(path).parent)
    report = check_paths([str(path)], settings)
    return render(report, settings)
