"""Every registered rule has its doc sections, at least one case file, and a row in the checker page's rule table."""

from __future__ import annotations

import re
from pathlib import Path

import docs_site
import pytest

from parallelize._analysis import all_rules
from parallelize._analysis.rules.base import DOC_SECTIONS

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "analysis" / "cases"


def rule_table() -> str:
    """Return docs/checker.md as the site shows it: its rule table is generated when the site is built."""
    text = docs_site.page("checker.md")
    if "| PAR101" not in text:
        pytest.fail("no rule table (a line starting '| PAR101') in docs/checker.md as built")
    return text


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_doc_has_every_section(rule) -> None:
    for section in DOC_SECTIONS:
        assert f"## {section}" in rule.doc, f"{rule.code} lacks '{section}'"
    why = rule.doc.split("## Why is this bad?")[1].split("## Example")[0]
    assert "under processes" in why.lower() and "under threads" in why.lower(), rule.code


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_has_a_case_file(rule) -> None:
    assert list(CASES.glob(f"{rule.code.lower()}_*")), f"no tests/analysis/cases/{rule.code.lower()}_*"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_has_a_row_in_the_table(rule) -> None:
    row = re.compile(rf"^\| {rule.code} \| {re.escape(rule.slug)} \| .+ \|$", re.MULTILINE)
    assert row.search(rule_table()), f"no table row for {rule.code}"


def test_messages_end_with_the_fix() -> None:
    for rule in all_rules():
        assert rule.template.endswith("{fix}"), rule.code
