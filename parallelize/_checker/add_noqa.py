"""``--add-noqa``: write ``# noqa: PARxxx`` on the lines of the reported findings, for adopting the checker.

Each directive goes where :meth:`noqa.Suppressions.comment_line` says the finding's comment is read, so the next
run reports nothing there. An existing ``# noqa: ...`` on that line gets the new codes merged in (sorted, unique);
a bare ``# noqa`` already covers everything. Files are rewritten atomically in their own encoding, BOM and line
endings; a file whose bytes would not survive that (it does not decode, tokenize or round-trip) is left alone.
``PAR0xx`` findings get no directive: the file was not checked at all, and a comment would hide that.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import tokenize
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from parallelize._analysis import Finding
from parallelize._checker import noqa


class _Skip(Exception):
    """A file that ``--add-noqa`` leaves as it is."""


def add_directives(source: str, wanted: Mapping[int, Iterable[str]]) -> tuple[str, int]:
    """Return ``source`` with the codes of ``wanted`` (finding line → codes) in ``# noqa`` comments.

    Returns:
        The new source and the number of lines changed.

    Raises:
        tokenize.TokenError: Or another of :data:`noqa.TOKENIZE_ERRORS`, when ``source`` cannot be tokenized.
    """
    found = noqa.scan(source)
    targets: dict[int, set[str]] = defaultdict(set)
    for line, codes in wanted.items():
        targets[found.comment_line(line)].update(c.upper() for c in codes)
    lines = io.StringIO(source).readlines()  # split on "\n" only, exactly as the tokenizer numbered them
    changed = 0
    for number, codes in sorted(targets.items()):
        if not 1 <= number <= len(lines):
            continue
        edited = _edit_line(lines[number - 1], found.comments.get(number), codes)
        if edited != lines[number - 1]:
            lines[number - 1] = edited
            changed += 1
    return "".join(lines), changed


def _edit_line(line: str, comment: tuple[int, str] | None, codes: set[str]) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    match = noqa.LINE.search(comment[1]) if comment else None
    if comment is None or match is None:
        return body.rstrip(" \t") + f"  # noqa: {', '.join(sorted(codes))}{ending}"
    if match.group("codes") is None:
        return line  # a bare directive already suppresses everything on the line
    existing = noqa.codes_of(match)
    if all(any(code.startswith(c) for c in existing) for code in codes):
        return line
    start = comment[0] + match.start("codes")
    end = comment[0] + match.end("codes")
    return f"{body[:start]}{', '.join(sorted(existing | codes))}{body[end:]}{ending}"


def add_to_files(findings: Iterable[Finding]) -> tuple[int, list[tuple[str, str]]]:
    """Add directives for ``findings`` to their files (paths as reported, relative to the working directory).

    Returns:
        The number of directives added or extended, and (file, reason) for each file left alone.
    """
    by_file: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    skipped: list[tuple[str, str]] = []
    for finding in findings:
        if finding.code.startswith("PAR0"):
            skipped.append((finding.path, f"{finding.code}: the file was not checked; fix it or exclude it"))
        else:
            by_file[finding.path][finding.line].add(finding.code)
    added = 0
    for name, wanted in sorted(by_file.items()):
        try:
            added += _add_to_file(Path(name).resolve(), wanted)
        except _Skip as exc:
            skipped.append((name, str(exc)))
    return added, skipped


def _add_to_file(path: Path, wanted: Mapping[int, Iterable[str]]) -> int:
    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise _Skip(f"cannot read it as Python source: {exc}") from None
    if text.encode(encoding) != data:
        raise _Skip(f"its bytes do not round-trip through {encoding}")
    if "\r" in text.replace("\r\n", ""):
        raise _Skip("it has lines ending in a lone carriage return")
    try:
        new, changed = add_directives(text, wanted)
    except noqa.TOKENIZE_ERRORS as exc:
        raise _Skip(f"it cannot be tokenized: {exc}") from None
    if changed:
        try:
            _write_atomically(path, new.encode(encoding))
        except OSError as exc:
            raise _Skip(f"cannot write it: {exc.strerror or exc}") from None
    return changed


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` through a temporary file in the same folder, keeping its permissions."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
