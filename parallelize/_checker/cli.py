"""``parallelize check [PATH ...]``: argument parsing and exit codes (0 clean, 1 findings, 2 usage/internal error)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from parallelize._checker import Report, check_paths
from parallelize._checker.add_noqa import add_to_files
from parallelize._checker.explain import explain, table
from parallelize._checker.formats import renderer
from parallelize._checker.settings import (
    FORMATS,
    Settings,
    SettingsError,
    load,
    load_file,
    per_file_ignores_from_flags,
    split_codes,
    validate_codes,
)

EPILOG = """exit status: 0 no findings, 1 findings, 2 usage or internal error.
suppress one line with `# noqa: PAR101` (`--add-noqa` writes them); configure in pyproject.toml under
[tool.parallelize], or name a file with --config."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise SettingsError(message)


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``parallelize check``."""
    p = _Parser(prog="parallelize check", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="Find parallel loops and task functions that mutate shared state.")
    p.add_argument("paths", nargs="*", help="files and folders to check; `-` reads standard input")
    p.add_argument("--audit", action="store_true", help="give every `for` loop a verdict (adoption map)")
    p.add_argument("--format", choices=FORMATS, default=None, help="output format (default: text)")
    p.add_argument("--select", action="append", metavar="CODES", help="base selection: codes or prefixes, ALL")
    p.add_argument("--extend-select", action="append", metavar="CODES", help="add codes or prefixes")
    p.add_argument("--ignore", action="append", metavar="CODES", help="remove codes or prefixes")
    p.add_argument("--per-file-ignores", action="append", metavar="PATTERN:CODES",
                   help="also ignore CODES (comma-separated) in files matching PATTERN; repeatable")
    p.add_argument("--strict", action="store_true", help="also report outer objects passed to unknown calls")
    p.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--force-exclude", action="store_true",
                   help="apply `exclude` to files named on the command line too (for pre-commit)")
    p.add_argument("--explain", metavar="CODE", help="show a rule's documentation (`ALL` prints the rule table)")
    p.add_argument("--stdin-filename", default="-", help="file name to report for standard input")
    p.add_argument("--config", metavar="PATH", type=Path,
                   help="read settings from this pyproject.toml or parallelize.toml instead of looking for one")
    p.add_argument("--isolated", action="store_true", help="ignore pyproject.toml settings")
    p.add_argument("--add-noqa", action="store_true",
                   help="write `# noqa: CODE` on every reported line instead of printing the findings")
    return p


def run(argv: list[str]) -> int:
    """Run ``parallelize check`` with ``argv`` (without the command name) and return the exit code."""
    try:
        return _run(argv)
    except SettingsError as exc:
        print(f"parallelize check: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"parallelize check: error: no such file or folder: {exc.args[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 2


def emit(text: str) -> None:
    """Write ``text`` to standard output; a reader that went away (``parallelize check | head``) is not an error.

    As ruff and ripgrep do, a closed pipe ends the output quietly, with no traceback; unlike them, the exit status
    stays the run's own (0 clean, 1 findings, 2 error), so ``set -o pipefail`` scripts still see findings.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        try:  # later writes, and the interpreter's flush at exit, go nowhere instead of failing again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # a replaced stdout without a file descriptor
            pass


def _run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.explain:
        if args.explain.upper() == "ALL":
            emit(table() + "\n")
            return 0
        text = explain(args.explain)
        if text is None:
            raise SettingsError(f"unknown rule code {args.explain!r}")
        emit(text)
        return 0
    paths = args.paths or ["."]
    if args.add_noqa and "-" in paths:
        raise SettingsError("--add-noqa edits files in place; it cannot edit standard input")
    settings = _settings(args, paths)
    if args.select:
        settings.select = validate_codes(split_codes(args.select), "--select")
    if args.extend_select:
        settings.extend_select += validate_codes(split_codes(args.extend_select), "--extend-select")
    if args.ignore:
        settings.ignore += validate_codes(split_codes(args.ignore), "--ignore")
    if args.per_file_ignores:
        settings.per_file_ignores += per_file_ignores_from_flags(args.per_file_ignores)
    settings.fmt = args.format or settings.fmt
    settings.audit = args.audit
    settings.strict = settings.strict or args.strict
    settings.statistics = args.statistics
    settings.exit_zero = args.exit_zero
    settings.force_exclude = args.force_exclude
    settings.stdin_filename = args.stdin_filename
    report = check_paths(paths, settings)
    if args.add_noqa:
        return _add_noqa(report)
    emit(renderer(settings.fmt)(report, settings))
    for path, message in report.errors if settings.fmt != "text" else ():
        print(f"{path}: internal error: {message}", file=sys.stderr)
    if report.errors:
        return 2
    if report.findings and not settings.exit_zero:
        return 1
    return 0


def _settings(args: argparse.Namespace, paths: list[str]) -> Settings:
    if args.config is not None:
        if args.isolated:
            raise SettingsError("--config and --isolated cannot be used together")
        return load_file(args.config)
    if args.isolated:
        return Settings()
    first = Path.cwd() if paths[0] == "-" or not Path(paths[0]).exists() else Path(paths[0])
    return load(first)


def _add_noqa(report: Report) -> int:
    added, skipped = add_to_files(report.findings)
    for path, reason in skipped:
        print(f"{path}: no noqa added: {reason}", file=sys.stderr)
    for path, message in report.errors:
        print(f"{path}: internal error: {message}", file=sys.stderr)
    emit(f"Added {added} noqa directive{'s' if added != 1 else ''}.\n")
    return 2 if report.errors else 0
