"""Every annotated case file: the analysis reports exactly the annotated findings (bugbear's eval files)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from casefiles import case_files, expected, options

from parallelize._analysis import analyze_source_bytes


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_case_file_findings_match_annotations(path: Path) -> None:
    want = expected(path)
    result = analyze_source_bytes(path.read_bytes(), path.name, **options(path))
    got: Counter[tuple[int, str, int | None]] = Counter()
    cols = {(line, code) for line, code, col in want if col is not None}
    for finding in result.findings:
        col = finding.col if (finding.line, finding.code) in cols else None
        got[(finding.line, finding.code, col)] += 1
    assert got == want, "\n".join(f.format() for f in result.findings)


def test_there_are_at_least_120_case_files() -> None:
    assert len(case_files()) >= 120


def test_case_files_are_valid_python_and_name_their_target() -> None:
    for path in case_files():
        if path.suffix != ".py":
            continue
        source = path.read_text()
        compile(source, str(path), "exec")
        markers = ("@parallel_for", "@io_bound", "parallel_for(", "io_bound(", "delayed", "Pool", "Executor", "Thread",
                   "@ray", "@dask", "p_map", "process_map", "Process", "ray.remote")
        assert any(m in source for m in markers) or path.name.startswith("clean_"), path.name
