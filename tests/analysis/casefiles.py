"""Read bugbear-style annotated case files: a flagged line ends with ``# PAR101`` or ``# PAR101: col``."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

CASES = Path(__file__).parent / "cases"
_ANNOTATION = re.compile(r"#\s*((?:PAR\d{3}(?::\s*\d+)?[\s,]*)+)$")
_ONE = re.compile(r"(PAR\d{3})(?::\s*(\d+))?")
_EXPECT = re.compile(rb"# expect: (PAR\d{3}) (\d+)")


def case_files() -> list[Path]:
    """Return every case file (``.py`` sources and ``.txt`` raw inputs), sorted."""
    return sorted(p for p in CASES.iterdir() if p.suffix in {".py", ".txt"})


def expected(path: Path) -> Counter[tuple[int, str, int | None]]:
    """Return the annotated findings of a case file: (line, code, col or None), with multiplicity."""
    found: Counter[tuple[int, str, int | None]] = Counter()
    if path.suffix == ".txt":
        for match in _EXPECT.finditer(path.read_bytes()):
            found[(int(match.group(2)), match.group(1).decode(), None)] += 1
        return found
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = _ANNOTATION.search(line)
        if match:
            for code, col in _ONE.findall(match.group(1)):
                found[(number, code, int(col) if col else None)] += 1
    return found


def options(path: Path) -> dict[str, bool]:
    """Return the analysis options a case file asks for (``par9*`` files run with ``strict``)."""
    return {"strict": path.name.startswith("par9"), "audit": False}
