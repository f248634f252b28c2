"""Settings: ``[tool.parallelize]`` from the nearest pyproject.toml (or the file ``--config`` names), then
command-line flags (which win).

Selection follows ruff's precedence: the highest-priority ``select`` is the base, ``extend-select`` adds to it
and ``ignore`` removes from it; ``per-file-ignores`` then removes codes in the files its patterns match. Codes and
prefixes (``PAR1``) and ``ALL`` are accepted everywhere.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parallelize._analysis import Rule, all_rules
from parallelize._checker.per_file_ignores import PerFileIgnore, check_pattern, ignored_codes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

FORMATS = ("text", "json", "sarif", "github")
KEYS = frozenset({"exclude", "extend-exclude", "select", "extend-select", "ignore", "per-file-ignores",
                  "extend-per-file-ignores", "strict", "parallel-callables"})
#: Where the tasks of a ``parallel-callables`` entry run (``kind``); the first is the default.
CALLABLE_KINDS = ("processes", "threads")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
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
        per_file_ignores: Codes removed in the files a pattern matches (``per-file-ignores`` and its ``extend-``
            form, then ``--per-file-ignores``).
        exclude: Path patterns to skip (relative to ``root``), beside the default ones.
        root: Folder of the configuration file that was read (or the working directory).
        fmt: Output format.
        audit: Give every ``for`` loop a verdict.
        strict: Report outer objects passed to unknown calls (PAR901).
        statistics: Print per-rule counts instead of findings.
        exit_zero: Exit 0 even when there are findings.
        force_exclude: Apply ``exclude`` to files named on the command line too.
        stdin_filename: Name for source read from ``-``.
        parallel_callables: The project's own map functions (``parallel-callables``): qualified name → where
            their tasks run (``"processes"`` or ``"threads"``).
    """

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: list[PerFileIgnore] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    root: Path = field(default_factory=Path.cwd)
    fmt: str = "text"
    audit: bool = False
    strict: bool = False
    statistics: bool = False
    exit_zero: bool = False
    force_exclude: bool = False
    stdin_filename: str = "-"
    parallel_callables: dict[str, str] = field(default_factory=dict)

    def selected(self) -> frozenset[str]:
        """Return the codes this run reports."""
        rules = all_rules()
        if self.select is None:
            base = {r.code for r in rules if r.default}
        else:
            base = {r.code for r in rules if _matches(r, self.select)}
        base |= {r.code for r in rules if _matches(r, self.extend_select)}
        if self.strict:
            base |= {"PAR901", "PAR902"}
        base -= {r.code for r in rules if _matches(r, self.ignore)}
        return frozenset(base)

    def selected_for(self, path: Path) -> frozenset[str]:
        """Return the codes this run reports in ``path``: :meth:`selected` less the file's ``per-file-ignores``."""
        selected = self.selected()
        ignored = ignored_codes(self.per_file_ignores, path, self.root)
        if not ignored:
            return selected
        return frozenset(code for code in selected if not any(p == "ALL" or code.startswith(p) for p in ignored))


def _matches(rule: Rule, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or rule.code.startswith(p) for p in patterns)


def validate_codes(patterns: Iterable[str], origin: str) -> list[str]:
    """Upper-case and check a list of codes/prefixes; raise :class:`SettingsError` on unknown ones."""
    codes = [p.strip().upper() for p in patterns if p.strip()]
    known = sorted(r.code for r in all_rules())
    for code in codes:
        if code != "ALL" and not any(k.startswith(code) for k in known):
            families = ", ".join(sorted({k[:4] for k in known}))
            raise SettingsError(
                f"{origin}: unknown rule code or prefix {code!r}; expected a code ({known[0]} to {known[-1]}), a "
                f"prefix of one ({families}, PAR10, ...) or ALL; `parallelize check --explain ALL` lists the rules")
    return codes


def per_file_ignores_from_table(table: object, origin: str) -> list[PerFileIgnore]:
    """Read a ``per-file-ignores`` table: ``"pattern" = ["PAR1", ...]``.

    Raises:
        SettingsError: The table has the wrong shape, a pattern is malformed or a code is unknown.
    """
    if not isinstance(table, Mapping):
        raise SettingsError(f'{origin} must be a table of "pattern" = ["PAR...", ...]')
    entries = []
    for pattern, codes in table.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise SettingsError(f"{origin} {pattern!r}: the value must be a list of rule codes or prefixes")
        entries.append(_per_file_ignore(str(pattern), codes, f"{origin} {pattern!r}"))
    return entries


def per_file_ignores_from_flags(values: Iterable[str]) -> list[PerFileIgnore]:
    """Read repeated ``--per-file-ignores PATTERN:CODES`` values (codes comma-separated).

    Raises:
        SettingsError: A value has no ``:``, no pattern or codes, a malformed pattern or an unknown code.
    """
    entries = []
    for value in values:
        pattern, colon, codes = value.rpartition(":")
        pattern = pattern.strip()
        if not colon or not pattern or not codes.strip():
            raise SettingsError(
                f"--per-file-ignores: expected PATTERN:CODES (e.g. 'tests/*:PAR1,PAR201'), got {value!r}")
        entries.append(_per_file_ignore(pattern, codes.split(","), f"--per-file-ignores {pattern!r}"))
    return entries


def _per_file_ignore(pattern: str, codes: Iterable[str], origin: str) -> PerFileIgnore:
    try:
        check_pattern(pattern)
    except ValueError as exc:
        raise SettingsError(f"{origin}: {exc}") from None
    return PerFileIgnore(pattern, tuple(validate_codes(codes, origin)))


def read_toml(path: Path) -> dict[str, Any]:
    """Return the parsed TOML file.

    Raises:
        SettingsError: One line naming the file: it is missing or unreadable, or ``path:line:col`` and the
            reason for a syntax error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a folder, not a TOML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read it: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(_toml_error(path, text, exc)) from None


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc).splitlines()[0]
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if where:
        return f"{path}:{where[1]}:{where[2]}: invalid TOML: {message[:where.start()]}"
    if message.endswith("(at end of document)"):
        last_line = text.count("\n") + (not text.endswith("\n"))
        return f"{path}:{last_line}: invalid TOML: {message.removesuffix('(at end of document)').rstrip()}"
    return f"{path}: invalid TOML: {message}"


def find_pyproject(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Return the nearest pyproject.toml at or above ``start`` with a ``[tool.parallelize]`` table, and the table."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            table = read_toml(path).get("tool", {})
            if isinstance(table, dict) and "parallelize" in table:
                return path, table["parallelize"]
    return None


def load(start: Path) -> Settings:
    """Return the settings from the nearest configured pyproject.toml (defaults when there is none)."""
    found = find_pyproject(start.resolve())
    if found is None:
        return Settings(root=Path.cwd())
    path, table = found
    return _from_table(table, f"{path} [tool.parallelize]", path.parent)


def load_file(path: Path) -> Settings:
    """Return the settings in ``path`` (``--config``).

    A file named ``pyproject.toml`` is read from its ``[tool.parallelize]`` table (defaults when it has none); any
    other file (``parallelize.toml``) holds the same keys at the top level. Patterns are relative to its folder.

    Raises:
        SettingsError: The file is missing, not valid TOML, or has invalid settings.
    """
    data = read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("parallelize", {}) if isinstance(tool, dict) else {}
        return _from_table(table, f"{path} [tool.parallelize]", path.resolve().parent)
    return _from_table(data, str(path), path.resolve().parent)


def _from_table(table: object, origin: str, root: Path) -> Settings:
    if not isinstance(table, dict):
        raise SettingsError(f"{origin}: must be a table")
    unknown = set(table) - KEYS
    if unknown:
        raise SettingsError(f"{origin}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KEYS))}")
    settings = Settings(root=root)
    settings.exclude = [*_strings(table, "exclude", origin), *_strings(table, "extend-exclude", origin)]
    if "select" in table:
        settings.select = validate_codes(_strings(table, "select", origin), origin)
    settings.extend_select = validate_codes(_strings(table, "extend-select", origin), origin)
    settings.ignore = validate_codes(_strings(table, "ignore", origin), origin)
    for key in ("per-file-ignores", "extend-per-file-ignores"):
        if key in table:
            settings.per_file_ignores += per_file_ignores_from_table(table[key], f"{origin} {key}")
    settings.strict = bool(table.get("strict", False))
    if "parallel-callables" in table:
        settings.parallel_callables = parallel_callables_from(table["parallel-callables"], origin)
    return settings


def parallel_callables_from(value: object, origin: str) -> dict[str, str]:
    """Read ``parallel-callables``: a list of qualified names (``"mylib.pmap"``, tasks on processes) or tables
    ``{name = "mylib.tmap", kind = "threads"}``.

    Raises:
        SettingsError: The value is not such a list, a name is not a dotted name, or a kind is unknown.
    """
    key = f"{origin}: `parallel-callables`"
    shape = 'a list of qualified names ("mylib.pmap") or tables {name = "mylib.tmap", kind = "threads"}'
    if not isinstance(value, list):
        raise SettingsError(f"{key} must be {shape}")
    found: dict[str, str] = {}
    for entry in value:
        if isinstance(entry, str):
            name, kind = entry, CALLABLE_KINDS[0]
        elif isinstance(entry, dict):
            unknown = set(entry) - {"name", "kind"}
            if unknown or "name" not in entry:
                raise SettingsError(f"{key}: a table takes `name` (required) and `kind`, got {sorted(entry)}")
            name, kind = entry["name"], entry.get("kind", CALLABLE_KINDS[0])
        else:
            raise SettingsError(f"{key} must be {shape}, got {entry!r}")
        if not isinstance(name, str) or not _DOTTED.fullmatch(name):
            raise SettingsError(f"{key}: {name!r} is not a qualified name such as \"mylib.pmap\" (the module path "
                                "the function is imported from, then its name)")
        if kind not in CALLABLE_KINDS:
            raise SettingsError(f"{key}: {name!r} has kind {kind!r}; expected one of {', '.join(CALLABLE_KINDS)}")
        found[name] = kind
    return found


def _strings(table: dict[str, Any], key: str, origin: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{origin}: `{key}` must be a list of strings")
    return list(value)


def split_codes(values: Sequence[str] | None) -> list[str]:
    """Split repeated/comma-separated ``--select PAR1,PAR2`` values."""
    return [part for value in values or () for part in value.split(",") if part.strip()]
