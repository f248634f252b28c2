"""``# noqa`` handling, read with tokenize."""

from __future__ import annotations

from pathlib import Path

from parallelize._checker import noqa


def test_line_codes_prefixes_blanket_and_case() -> None:
    found = noqa.read("a = 1  # noqa: PAR101,PAR2\nb = 2  # NOQA\nc = 3  # noqa:par301\n")
    assert found.suppresses(1, "PAR101") and found.suppresses(1, "PAR201")
    assert not found.suppresses(1, "PAR102")
    assert found.suppresses(2, "PAR999")
    assert found.suppresses(3, "PAR301")
    assert not found.suppresses(4, "PAR101")


def test_noqa_inside_a_string_does_not_count() -> None:
    found = noqa.read('x = "# noqa: PAR101"\n')
    assert not found.suppresses(1, "PAR101")


def test_file_level_noqa() -> None:
    assert noqa.read("# parallelize: noqa\nx = 1\n").suppresses(2, "PAR101")
    only = noqa.read("# parallelize: noqa: PAR2\nx = 1\n")
    assert only.suppresses(2, "PAR201") and not only.suppresses(2, "PAR101")


def test_untokenizable_source_has_no_suppressions() -> None:
    assert not noqa.read('x = """never closed  # noqa\n').suppresses(1, "PAR101")


def test_noqa_suppresses_in_the_cli(project: Path, check) -> None:
    path = project / "unsafe.py"
    path.write_text(path.read_text().replace('out[item]["x"] += 1', 'out[item]["x"] += 1  # noqa: PAR101'))
    assert check("unsafe.py")[0] == 0
    path.write_text(path.read_text().replace("# noqa: PAR101", "# noqa: PAR102"))
    assert check("unsafe.py")[0] == 1
