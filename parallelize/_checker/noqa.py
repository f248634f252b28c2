"""``# noqa`` comments, read with :mod:`tokenize` so that ``"# noqa"`` inside a string never counts.

* ``# noqa`` on a line suppresses every finding reported on that line;
* ``# noqa: PAR101, PAR2`` only those codes (prefixes allowed), case-insensitive, space after ``:`` optional;
* ``# parallelize: noqa`` on its own line suppresses the whole file (``# parallelize: noqa: PAR101`` only those).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

ALL = "ALL"
_LINE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_FILE = re.compile(r"#\s*parallelize:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
                   re.IGNORECASE)


@dataclass
class Suppressions:
    """Which codes are suppressed on which lines, and for the whole file."""

    lines: dict[int, set[str]] = field(default_factory=dict)
    file: set[str] = field(default_factory=set)

    def suppresses(self, line: int, code: str) -> bool:
        """Return whether a finding of ``code`` on ``line`` is suppressed."""
        for codes in (self.file, self.lines.get(line, set())):
            if ALL in codes or any(code.startswith(c) for c in codes):
                return True
        return False


def _codes(match: re.Match[str]) -> set[str]:
    text = match.group("codes")
    if not text:
        return {ALL}
    return {c.upper() for c in re.split(r"[,\s]+", text) if c}


def read(source: str) -> Suppressions:
    """Return the suppressions of ``source``; a file that cannot be tokenized has none."""
    found = Suppressions()
    if "noqa" not in source.lower():
        return found  # the common case, without paying for tokenize
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT:
                continue
            whole = _FILE.match(token.string)
            if whole and token.line.strip() == token.string.strip():
                found.file |= _codes(whole)
                continue
            match = _LINE.search(token.string)
            if match:
                found.lines.setdefault(token.start[0], set()).update(_codes(match))
    except (tokenize.TokenError, SyntaxError, IndentationError, RecursionError, MemoryError):
        return found
    return found
