"""``--add-noqa``: where directives go, merging, encodings and line endings, and a clean re-run."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from parallelize._checker import noqa
from parallelize._checker.add_noqa import add_directives

HEADER = ("from parallelize import parallel_for\n\nLOG = []\n\n\n@parallel_for\ndef fill(items, out):\n"
          "    for item in items:\n")


def _job(*body: str) -> str:
    return HEADER + "".join(f"        {line}\n" for line in body)


def test_adds_directives_and_the_rerun_is_clean(project: Path, check) -> None:
    code, out, _ = check("--add-noqa", ".")
    assert (code, out) == (0, "Added 1 noqa directive.\n")
    assert '        out[item]["x"] += 1  # noqa: PAR101\n' in (project / "unsafe.py").read_text()
    assert check(".")[0] == 0
    assert check("--add-noqa", ".")[1] == "Added 0 noqa directives.\n"


def test_finding_inside_a_multi_line_call_gets_the_comment_on_its_own_line(project: Path, check) -> None:
    path = project / "job.py"
    path.write_text(_job("print(", '    "x",', "    out.append(item),", ")"))
    code, out, _ = check("job.py")
    assert code == 1
    assert out.startswith("job.py:11:13: PAR102")
    assert check("--add-noqa", "job.py")[1] == "Added 1 noqa directive.\n"
    assert path.read_text().splitlines()[10] == "            out.append(item),  # noqa: PAR102"
    assert check("job.py")[0] == 0


def test_multi_line_strings_and_backslashes_move_the_comment_to_where_one_fits(project: Path, check) -> None:
    path = project / "job.py"
    path.write_text(_job('LOG.append("""a', 'b""")', "LOG.append(1 + \\", "    2)"))
    assert [line.split(":")[1] for line in check("job.py")[1].splitlines()[:-1]] == ["9", "11"]
    records = json.loads(check("--format", "json", "job.py")[1])
    assert [(r["location"]["row"], r["noqa_row"]) for r in records] == [(9, 10), (11, 12)]
    assert check("--add-noqa", "job.py")[1] == "Added 2 noqa directives.\n"
    lines = path.read_text().splitlines()
    assert lines[8:12] == ['        LOG.append("""a', '        b""")  # noqa: PAR102', "        LOG.append(1 + \\",
                           "            2)  # noqa: PAR102"]
    assert check("job.py")[0] == 0


def test_noqa_reading_and_writing_use_the_same_line() -> None:
    source = 'x = """a\nb""" + \\\n  1\ny = (\n  2,\n)\n'
    found = noqa.scan(source)
    assert [found.comment_line(n) for n in range(1, 7)] == [3, 3, 3, 4, 5, 6]
    new, changed = add_directives(source, {1: ["PAR101"], 5: ["PAR201"]})
    assert changed == 2
    assert noqa.read(new).suppresses(1, "PAR101") and noqa.read(new).suppresses(5, "PAR201")
    assert not noqa.read(new).suppresses(4, "PAR201")


def test_merges_with_an_existing_directive_and_keeps_its_text() -> None:
    source = "a = 1  # noqa:PAR2,E501 - legacy\nb = 2  # explain\nc = 3   \n"
    new, changed = add_directives(source, {1: ["PAR101", "PAR2"], 2: ["PAR102"], 3: ["PAR103"]})
    assert changed == 3
    assert new.splitlines() == ["a = 1  # noqa:E501, PAR101, PAR2 - legacy", "b = 2  # explain  # noqa: PAR102",
                                "c = 3  # noqa: PAR103"]


@pytest.mark.parametrize("line", ["a = 1  # noqa", "a = 1  # NOQA: PAR1", "a = 1  # noqa: PAR101"])
def test_leaves_lines_already_covered_alone(line: str) -> None:
    assert add_directives(line + "\n", {1: ["PAR101"]}) == (line + "\n", 0)


def test_keeps_encoding_bom_line_endings_and_permissions(project: Path, check) -> None:
    latin = project / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n" + _job("LOG.append('café')")).encode("latin-1"))
    bom = project / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + _job("LOG.append('na\xc3\xafve')").replace("\n", "\r\n").encode("latin-1"))
    bom.chmod(0o640)
    before = {path: path.read_bytes() for path in (latin, bom)}
    assert check("--add-noqa", "latin.py", "bom.py")[:2] == (0, "Added 2 noqa directives.\n")
    assert latin.read_bytes() == before[latin].replace(b"'caf\xe9')", b"'caf\xe9')  # noqa: PAR102")
    assert bom.read_bytes() == before[bom].replace(b"ve')\r\n", b"ve')  # noqa: PAR102\r\n")
    assert stat.S_IMODE(bom.stat().st_mode) == 0o640
    assert sorted(p.name for p in project.iterdir()) == ["bom.py", "latin.py", "safe.py", "unsafe.py"]  # no temp
    assert check("latin.py", "bom.py")[0] == 0


def test_only_reported_findings_get_directives(project: Path, check) -> None:
    path = project / "job.py"
    path.write_text(_job("LOG.append(item)", 'out[item]["x"] += 1'))
    before = path.read_text()
    assert check("--add-noqa", "--per-file-ignores", "job.py:PAR1", "job.py")[1] == "Added 0 noqa directives.\n"
    assert check("--add-noqa", "--ignore", "PAR102", "job.py")[1] == "Added 1 noqa directive.\n"
    assert path.read_text() == before.replace('= 1\n', '= 1  # noqa: PAR101\n')
    assert check("job.py")[1].startswith("job.py:9:9: PAR102")


def test_files_that_were_not_checked_are_left_alone(project: Path, check) -> None:
    (project / "broken.py").write_text("def f(:\n    pass\n")
    code, out, err = check("--add-noqa", "broken.py", "unsafe.py")
    assert (code, out) == (0, "Added 1 noqa directive.\n")
    assert (project / "broken.py").read_text() == "def f(:\n    pass\n"
    assert "broken.py: no noqa added: PAR000" in err


def test_standard_input_cannot_be_edited(project: Path, check) -> None:
    code, _, err = check("--add-noqa", "-")
    assert code == 2
    assert "standard input" in err



def test_a_file_that_cannot_be_written_is_reported_and_left_whole(project: Path, check,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    before = (project / "unsafe.py").read_text()
    monkeypatch.setattr(os, "replace", refuse)
    code, out, err = check("--add-noqa", "unsafe.py")
    assert (code, out) == (0, "Added 0 noqa directives.\n")
    assert "unsafe.py: no noqa added: cannot write it: Permission denied" in err
    assert (project / "unsafe.py").read_text() == before
    assert sorted(p.name for p in project.iterdir()) == ["safe.py", "unsafe.py"]  # the temporary file is gone
