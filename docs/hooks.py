"""mkdocs hook: fills the generated parts of the pages from the library when the site is built.

A page marks a generated part with ``<!-- generated: NAME -->`` and ``<!-- end generated -->``; what lies between
(a note for readers of the Markdown file on GitHub) is replaced by what ``GENERATORS[NAME]`` returns. The rules are
rendered by ``parallelize._checker.explain``, from the same docstrings ``parallelize check --explain`` prints, so no
rule is described twice.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

# The checkout's library, not whichever parallelize the environment has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parallelize._analysis import all_rules
from parallelize._analysis.rules.base import FAMILIES
from parallelize._checker import explain

MARKER = re.compile(r"<!-- generated: ([\w-]+) -->\n.*?<!-- end generated -->", re.S)
# The docstrings are written for Sphinx as well: a cross-reference (:func:`parallel_for`) shows the name alone, and
# a paragraph that introduces a literal block ("equivalent::") ends in one colon.
SPHINX_ROLE = re.compile(r":(?:func|class|meth|attr|mod|exc|data|obj):(?=<code>)")
LITERAL_INTRO = re.compile(r"::(?=\s*</p>)")


def rules() -> str:
    """Return every rule's documentation, grouped by family (the code's first digit), in code order."""
    parts = []
    for digit, family in FAMILIES.items():
        members = [rule for rule in all_rules() if rule.code[3] == digit]
        if members:
            parts.append(f"## PAR{digit}xx: {family}\n")
            parts += [explain.markdown(rule, level=3) for rule in members]
    return "\n".join(parts)


GENERATORS = {"rule-table": explain.table, "rules": rules}


def substitute(markdown: str) -> str:
    """Return ``markdown`` with every generated part filled in; an unknown name is an error."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise ValueError(f"unknown generated part {name!r}; known: {', '.join(GENERATORS)}")
        return GENERATORS[name]()

    return MARKER.sub(fill, markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """mkdocs event: runs on every page's Markdown before it is converted to HTML."""
    return substitute(markdown)


def on_page_content(html: str, **kwargs: Any) -> str:
    """mkdocs event: runs on every page's HTML; drops the Sphinx markup the API page would show as text."""
    return LITERAL_INTRO.sub(":", SPHINX_ROLE.sub("", html))
