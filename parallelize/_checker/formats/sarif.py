"""SARIF 2.1.0 with what GitHub code scanning requires: rules, regions, repo-relative URIs, fingerprints."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import Any

from parallelize._analysis import Finding, all_rules
from parallelize._checker import Report
from parallelize._checker.settings import Settings

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    try:
        return metadata.version("parallelize")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def _fingerprint(finding: Finding) -> str:
    digest = hashlib.sha256(f"{finding.path}:{finding.code}:{finding.message}".encode()).hexdigest()
    return f"{digest[:16]}:1"


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": "error",
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": finding.path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.line, "startColumn": finding.col,
                       "endLine": finding.end_line or finding.line, "endColumn": finding.end_col or finding.col},
        }}],
        "partialFingerprints": {"primaryLocationLineHash": _fingerprint(finding)},
    }


def render(report: Report, settings: Settings) -> str:
    """Return the SARIF log."""
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    descriptors = [
        {
            "id": r.code,
            "name": r.slug,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.doc.split("## Why is this bad?")[0].replace("## What it does", "").strip()},
            "help": {"text": r.doc, "markdown": r.doc},
            "helpUri": r.url,
            "defaultConfiguration": {"level": "error" if r.default else "note"},
            "properties": {"tags": [r.family], "precision": "high" if r.default else "low"},
        }
        for r in rules
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "parallelize", "informationUri": "https://github.com/parallelize/parallelize",
                                "semanticVersion": _version(), "version": _version(), "rules": descriptors}},
            "results": [_result(f, index) for f in report.findings],
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(log, indent=2) + "\n"
