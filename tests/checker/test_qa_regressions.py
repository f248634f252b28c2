"""Regressions from the QA pass on the checker front end: audit verdicts that keep ignored findings, the call
form of our decorators, output that survives a closed pipe, ranges that never end before they start, PAR106's
own consequence text, and plurals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SORTS = ("def f(items):\n    acc = []\n    for x in items:\n        acc.append(x)\n        acc.sort(){noqa}\n"
         "    return acc\n")


@pytest.mark.parametrize(
    ("argv", "noqa"),
    [
        (("--ignore", "PAR102"), ""),
        (("--per-file-ignores", "a.py:PAR1"), ""),
        (("--select", "PAR2"), ""),
        ((), "  # noqa: PAR102"),
        ((), "  # noqa"),
    ],
    ids=["ignore", "per-file-ignores", "not-selected", "noqa-code", "bare-noqa"],
)
def test_ignored_findings_keep_the_loop_unsafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check,
                                               argv: tuple[str, ...], noqa: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(SORTS.format(noqa=noqa))
    code, out, _ = check("--isolated", "--audit", *argv, "a.py")
    assert code == 0  # nothing reported...
    assert "a.py:3:5: loop unsafe (ignored: PAR102)" in out  # ...but the loop is not called safe
    assert "1 loop: 0 safe, 0 safe with collection, 0 safe with seed=, 1 unsafe (1 with ignored findings)." in out


def test_reported_and_ignored_codes_are_listed_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("def f(items, table):\n    acc = []\n    for x in items:\n        table[x] += 1\n"
                                   "        acc.sort()  # noqa: PAR102\n")
    code, out, _ = check("--isolated", "--audit", "a.py")
    assert code == 1
    assert "a.py:3:5: loop unsafe (PAR101; ignored: PAR102)" in out
    code, out, _ = check("--isolated", "--audit", "--format", "json", "a.py")
    verdict = next(r for r in json.loads(out) if r["code"] is None)
    assert (verdict["verdict"], verdict["codes"], verdict["ignored"]) == ("unsafe", ["PAR101"], ["PAR102"])


def test_one_loop_is_singular(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("for i in range(3):\n    print(i)\n")
    out = check("--audit", "a.py")[1]
    assert "(1 file checked). 1 loop: 1 safe, 0 safe with collection, 0 safe with seed=, 0 unsafe." in out
    (tmp_path / "b.py").write_text("x = 1\n")
    assert "0 loops: 0 safe" in check("--audit", "b.py")[1]


def test_call_form_of_the_decorator_is_a_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("from parallelize import parallel_for\n\nCACHE = {}\n\n\ndef task(x):\n"
                                   "    CACHE[x] = x\n    return x\n\n\nrun = parallel_for(loop=False)(task)\n")
    code, out, _ = check("--isolated", "a.py")
    assert code == 1
    assert out.startswith("a.py:7:5: PAR101 `CACHE[x]` writes into `CACHE`")
    assert "inside a parallel task" in out


def test_syntax_error_range_never_ends_before_it_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        check) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    _, out, _ = check("--isolated", "--format", "github", "bad.py")
    assert "title=PAR000,file=bad.py,line=1,col=7,endLine=1,endColumn=7::" in out
    _, out, _ = check("--isolated", "--format", "json", "bad.py")
    record = json.loads(out)[0]
    assert (record["end_location"]["row"], record["end_location"]["column"]) >= (
        record["location"]["row"], record["location"]["column"])
    _, out, _ = check("--isolated", "--format", "sarif", "bad.py")
    region = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def test_every_finding_range_is_ordered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check) -> None:
    cases = Path(__file__).resolve().parents[1] / "analysis" / "cases"
    monkeypatch.chdir(cases)
    _, out, _ = check("--isolated", "--audit", "--format", "json", ".")
    for record in json.loads(out):
        start, end = record["location"], record["end_location"]
        assert (end["row"], end["column"]) >= (start["row"], start["column"]), record


def test_par106_says_what_goes_wrong_with_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check) -> None:
    monkeypatch.chdir(tmp_path)
    body = "def f(items):\n    log = open('log.txt', 'w')\n    for x in items:\n        log.write(str(x))\n"
    (tmp_path / "p.py").write_text("from parallelize import parallel_for\n\n\n@parallel_for\n" + body)
    (tmp_path / "t.py").write_text("from parallelize import io_bound\n\n\n@io_bound\n" + body)
    _, out, _ = check("--isolated", "p.py")
    assert "PAR106" in out
    assert "own copy" not in out
    assert "writes from different workers interleave, overwrite each other" in out
    _, out, _ = check("--isolated", "t.py")
    assert "threads' writes interleave in no fixed order" in out


def test_other_rules_keep_the_copy_consequence(project: Path, check) -> None:
    assert "each process worker changes its own copy and the caller never sees it" in check("unsafe.py")[1]


@pytest.mark.parametrize("argv", [["--audit"], ["--format", "json", "--audit"]])
def test_a_closed_pipe_ends_the_output_quietly(tmp_path: Path, argv: list[str]) -> None:
    # Far more than a pipe holds (64 KiB), so writing fails once the reader has gone.
    lines = "".join(f"def f{i}(xs):\n    o = []\n    for x in xs:\n        o.sort()\n" for i in range(1500))
    (tmp_path / "a.py").write_text(lines)
    command = [sys.executable, "-m", "parallelize", "check", "--isolated", *argv, "a.py"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # the reader goes away, as `| head -1` does
    err = process.stderr.read().decode()
    process.stderr.close()
    code = process.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == 1  # the run's own exit code: there are findings


class _ClosedPipe:
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize(("argv", "expected"), [(["--explain", "ALL"], 0), (["--explain", "PAR108"], 0),
                                                (["--audit", "unsafe.py"], 1), (["safe.py"], 0)])
def test_every_output_survives_a_closed_pipe(project: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                             expected: int) -> None:
    from parallelize._checker.cli import run

    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert run(argv) == expected
