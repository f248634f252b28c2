"""Settings: ``[tool.parallelize]`` from the nearest pyproject.toml, then command-line flags (which win).

Selection follows ruff's precedence: the highest-priority ``select`` is the base, ``extend-select`` adds to it
and ``ignore`` removes from it. Codes and prefixes (``PAR1``) and ``ALL`` are accepted everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parallelize._analysis import Rule, all_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

FORMATS = ("text", "json", "sarif", "github")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache",
                   ".ruff_cache", ".pytest_cache", "node_modules", "build", "dist", ".eggs")


class SettingsError(ValueError):
    """The configuration or a flag is invalid (exit code 2)."""


@dataclass
class Settings:
    """Everything one run needs.

    Attributes:
        select: Codes or prefixes that form the base selection (``None``: the default rules).
        extend_select: Added to the base.
        ignore: Removed from the selection.
        exclude: Path patterns to skip (relative to ``root``), beside the default ones.
        root: Folder of the pyproject.toml that was read (or the working directory).
        fmt: Output format.
        audit: Give every ``for`` loop a verdict.
        strict: Report outer objects passed to unknown calls (PAR901).
        statistics: Print per-rule counts instead of findings.
        exit_zero: Exit 0 even when there are findings.
        force_exclude: Apply ``exclude`` to files named on the command line too.
        stdin_filename: Name for source read from ``-``.
    """

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    root: Path = field(default_factory=Path.cwd)
    fmt: str = "text"
    audit: bool = False
    strict: bool = False
    statistics: bool = False
    exit_zero: bool = False
    force_exclude: bool = False
    stdin_filename: str = "-"

    def selected(self) -> frozenset[str]:
        """Return the codes this run reports."""
        rules = all_rules()
        if self.select is None:
            base = {r.code for r in rules if r.default}
        else:
            base = {r.code for r in rules if _matches(r, self.select)}
        base |= {r.code for r in rules if _matches(r, self.extend_select)}
        if self.strict:
            base.add("PAR901")
        base -= {r.code for r in rules if _matches(r, self.ignore)}
        return frozenset(base)


def _matches(rule: Rule, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or rule.code.startswith(p) for p in patterns)


def validate_codes(patterns: Iterable[str], origin: str) -> list[str]:
    """Upper-case and check a list of codes/prefixes; raise :class:`SettingsError` on unknown ones."""
    codes = [p.strip().upper() for p in patterns if p.strip()]
    known = [r.code for r in all_rules()]
    for code in codes:
        if code != "ALL" and not any(k.startswith(code) for k in known):
            raise SettingsError(f"{origin}: unknown rule code or prefix {code!r} (see `parallelize check --explain`)")
    return codes


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest pyproject.toml at or above ``start`` that has a ``[tool.parallelize]`` table."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{path}: cannot read it: {exc}") from None
            if "parallelize" in data.get("tool", {}):
                return path
    return None


def load(start: Path) -> Settings:
    """Return the settings from the nearest configured pyproject.toml (defaults when there is none)."""
    path = find_pyproject(start.resolve())
    settings = Settings(root=Path.cwd())
    if path is None:
        return settings
    table: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["parallelize"]
    origin = f"{path} [tool.parallelize]"
    unknown = set(table) - {"exclude", "extend-exclude", "select", "extend-select", "ignore", "strict"}
    if unknown:
        raise SettingsError(f"{origin}: unknown key(s) {', '.join(sorted(unknown))}")
    settings.root = path.parent
    settings.exclude = [*_strings(table, "exclude", origin), *_strings(table, "extend-exclude", origin)]
    if "select" in table:
        settings.select = validate_codes(_strings(table, "select", origin), origin)
    settings.extend_select = validate_codes(_strings(table, "extend-select", origin), origin)
    settings.ignore = validate_codes(_strings(table, "ignore", origin), origin)
    settings.strict = bool(table.get("strict", False))
    return settings


def _strings(table: dict[str, Any], key: str, origin: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{origin}: `{key}` must be a list of strings")
    return list(value)


def split_codes(values: Sequence[str] | None) -> list[str]:
    """Split repeated/comma-separated ``--select PAR1,PAR2`` values."""
    return [part for value in values or () for part in value.split(",") if part.strip()]
