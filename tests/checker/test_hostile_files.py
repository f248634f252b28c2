"""Hostile input: every bad file is a PAR0xx finding or a clean skip, never a traceback; the rest is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallelize._analysis import analyze_function, analyze_module, analyze_source_bytes


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"def f(:\n", "PAR000"),
        (b"x = 1\x00\n", "PAR000"),
        (b"name = '\xe9\xff'\n", "PAR001"),
        (b"# -*- coding: nonsense -*-\nx = 1\n", "PAR001"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "PAR001"),
        (b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", "PAR002"),
        (b"x = " + b"-" * 100_000 + b"1\n", "PAR002"),
    ],
)
def test_bad_bytes_become_input_findings(data: bytes, code: str) -> None:
    findings = analyze_source_bytes(data, "bad.py").findings
    assert [f.code for f in findings] == [code]
    assert findings[0].format().startswith("bad.py:")


def test_latin1_with_coding_line_is_read() -> None:
    data = b"# -*- coding: latin-1 -*-\nname = 'Jos\xe9'\n"
    assert analyze_source_bytes(data, "ok.py").findings == []


def test_empty_and_blank_files_are_clean() -> None:
    assert analyze_source_bytes(b"", "empty.py").findings == []
    assert analyze_source_bytes(b"\n\n   \n", "blank.py").findings == []
    assert analyze_source_bytes(b"\xef\xbb\xbfx = 1\n", "bom.py").findings == []


def test_deeply_nested_blocks_do_not_crash() -> None:
    source = "".join("    " * i + f"if x{i}:\n" for i in range(95)) + "    " * 95 + "pass\n"
    result = analyze_module(source, "deep.py", audit=True)
    assert all(f.code.startswith("PAR0") for f in result.findings)
    nested = "x = [" * 3000 + "]" * 3000 + "\n"
    assert [f.code for f in analyze_module(nested, "deep.py").findings] in (["PAR002"], ["PAR000"])


def test_huge_file_is_checked(tmp_path: Path) -> None:
    chunk = "def f{0}(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n\n"
    source = "".join(chunk.format(i) for i in range(2_000)) + '"""' + "data line\n" * 1_000_000 + '"""\n'
    assert len(source) > 10_000_000
    result = analyze_module(source, "huge.py", audit=True)
    assert result.findings == []
    assert result.loops == 2_000


def test_analyze_function_turns_bad_source_into_findings() -> None:
    assert [f.code for f in analyze_function("def f(:\n", "x.py", 10).findings] == ["PAR000"]
    assert [f.code for f in analyze_function("x = 1\n", "x.py", 10).findings] == ["PAR000"]


def test_cli_keeps_checking_after_bad_files(project: Path, check) -> None:
    (project / "broken.py").write_text("def f(:\n")
    (project / "binary.py").write_bytes(b"\x00\xff\xfe\x00")
    code, out, err = check(".")
    assert code == 1
    assert "broken.py:1:" in out and "PAR000" in out
    assert "binary.py:1:1: PAR00" in out
    assert "unsafe.py:8:9: PAR101" in out
    assert "Traceback" not in out + err
