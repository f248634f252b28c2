"""``# noqa`` comments, read with :mod:`tokenize` so that ``"# noqa"`` inside a string never counts.

* ``# noqa`` on a line suppresses every finding reported on that line;
* ``# noqa: PAR101, PAR2`` only those codes (prefixes allowed), case-insensitive, space after ``:`` optional;
* ``# parallelize: noqa`` on its own line suppresses the whole file (``# parallelize: noqa: PAR101`` only those).

A comment cannot follow a line that ends inside a multi-line string or with a backslash, so, as in ruff, a finding
reported on such a line is governed by the comment on the first line after it that can hold one (the closing line
of the string, the end of the continued line). :meth:`Suppressions.comment_line` is that mapping; ``--add-noqa``
writes where it points, so the two always agree.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from dataclasses import dataclass, field

ALL = "ALL"
LINE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_FILE = re.compile(r"#\s*parallelize:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
                   re.IGNORECASE)
TOKENIZE_ERRORS = (tokenize.TokenError, SyntaxError, IndentationError, RecursionError, MemoryError)


@dataclass
class Suppressions:
    """Which codes are suppressed on which lines, and for the whole file.

    Attributes:
        lines: Line of a ``# noqa`` comment → the codes it names (``ALL`` for a bare one).
        file: Codes suppressed in the whole file.
        comments: Line → (column, text) of the comment token on it (filled by :func:`scan` only).
        ends: Sorted lines that end outside a string and without a backslash: where a comment can go.
    """

    lines: dict[int, set[str]] = field(default_factory=dict)
    file: set[str] = field(default_factory=set)
    comments: dict[int, tuple[int, str]] = field(default_factory=dict)
    ends: list[int] = field(default_factory=list)

    def comment_line(self, line: int) -> int:
        """Return the line whose comment governs findings reported on ``line``."""
        index = bisect.bisect_left(self.ends, line)
        return self.ends[index] if index < len(self.ends) else line

    def suppresses(self, line: int, code: str) -> bool:
        """Return whether a finding of ``code`` on ``line`` is suppressed."""
        for codes in (self.file, self.lines.get(self.comment_line(line), set())):
            if ALL in codes or any(code.startswith(c) for c in codes):
                return True
        return False


def codes_of(match: re.Match[str]) -> set[str]:
    """Return the upper-case codes of a ``# noqa`` match, ``{ALL}`` for a bare one."""
    text = match.group("codes")
    if not text:
        return {ALL}
    return {c.upper() for c in re.split(r"[,\s]+", text) if c}


def read(source: str) -> Suppressions:
    """Return the suppressions of ``source``; a file that cannot be tokenized keeps those read before the error.

    The checker calls it only for files with findings, so tokenizing every such file costs little.
    """
    found = Suppressions()
    try:
        _fill(found, source)
    except TOKENIZE_ERRORS:
        return found
    return found


def scan(source: str) -> Suppressions:
    """Tokenize ``source`` and return its suppressions, comments and comment-holding lines.

    Raises:
        tokenize.TokenError: Or another of :data:`TOKENIZE_ERRORS`, when ``source`` cannot be tokenized.
    """
    found = Suppressions()
    _fill(found, source)
    return found


def _fill(found: Suppressions, source: str) -> None:
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.NEWLINE, tokenize.NL):
            found.ends.append(token.start[0])
        if token.type != tokenize.COMMENT:
            continue
        found.comments[token.start[0]] = (token.start[1], token.string)
        whole = _FILE.match(token.string)
        if whole and token.line.strip() == token.string.strip():
            found.file |= codes_of(whole)
            continue
        match = LINE.search(token.string)
        if match:
            found.lines.setdefault(token.start[0], set()).update(codes_of(match))
