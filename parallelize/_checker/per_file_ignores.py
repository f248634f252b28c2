"""``per-file-ignores``: glob patterns mapped to the rule codes to ignore in the files they match.

Patterns follow ruff's rules. A pattern without ``/`` is matched against the file name, so ``"__init__.py"`` or
``"test_*.py"`` match at any depth; any other pattern is matched against the path relative to the project root (the
folder of the configuration file). ``*`` and ``?`` also match ``/`` (as in globset, which ruff uses), ``**/`` matches
zero or more folders, ``[abc]`` / ``[!abc]`` are classes, ``{a,b}`` is either, and a leading ``!`` negates the
pattern: ``"!src/**" = ["PAR1"]`` ignores PAR1xx everywhere except under ``src/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class PerFileIgnore:
    """One pattern and the codes or prefixes it ignores.

    Attributes:
        pattern: The glob as written (a leading ``!`` negates it).
        codes: Validated, upper-case codes or prefixes (or ``ALL``).
    """

    pattern: str
    codes: tuple[str, ...]

    def matches(self, path: Path, root: Path) -> bool:
        """Return whether the pattern applies to ``path`` (a file; ``root`` is the project root)."""
        negated = self.pattern.startswith("!")
        pattern = self.pattern[1:] if negated else self.pattern
        return _glob_matches(pattern, path, root) != negated


def _glob_matches(pattern: str, path: Path, root: Path) -> bool:
    if "/" not in pattern:
        return _regex(pattern).fullmatch(path.name) is not None
    if Path(pattern).is_absolute():
        return _regex(pattern).fullmatch(path.resolve().as_posix()) is not None
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:  # outside the project: only absolute and file-name patterns can match
        return False
    return _regex(pattern.removeprefix("./")).fullmatch(relative) is not None


def check_pattern(pattern: str) -> None:
    """Raise :class:`ValueError` when ``pattern`` (``!`` allowed in front) is not a valid glob."""
    _regex(pattern.removeprefix("!"))


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob into a regular expression (globset's default syntax: ``*`` crosses ``/``)."""
    out: list[str] = []
    i, n, in_braces = 0, len(pattern), False
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if char == "*":
            out.append(".*")
            while i + 1 < n and pattern[i + 1] == "*":
                i += 1
        elif char == "?":
            out.append(".")
        elif char == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            negate = body[:1] in ("!", "^")
            out.append("[" + ("^" if negate else "") + re.escape(body[1:] if negate else body).replace(r"\-", "-")
                       + "]")
            i = end
        elif char == "{" and not in_braces:
            out.append("(?:")
            in_braces = True
        elif char == "}" and in_braces:
            out.append(")")
            in_braces = False
        elif char == "," and in_braces:
            out.append("|")
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    if in_braces:
        raise ValueError(f"the pattern {pattern!r} has an unclosed `{{`")
    return re.compile("".join(out), re.DOTALL)


def ignored_codes(entries: Iterable[PerFileIgnore], path: Path, root: Path) -> list[str]:
    """Return the codes and prefixes that the entries matching ``path`` ignore."""
    return [code for entry in entries if entry.matches(path, root) for code in entry.codes]
