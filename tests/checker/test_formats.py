"""Output formats: ruff-shaped JSON, SARIF 2.1.0 for GitHub code scanning, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path


def test_json_is_ruff_shaped_and_empty_list_when_clean(project: Path, check) -> None:
    code, out, _ = check("--format", "json", "unsafe.py")
    assert code == 1
    (record,) = json.loads(out)
    assert record["code"] == "PAR101"
    assert record["filename"] == "unsafe.py"
    assert record["location"] == {"row": 8, "column": 9}
    assert record["end_location"]["row"] == 8
    assert record["url"].endswith("#par101")
    assert record["message"].startswith("`out[item]['x']` writes into `out`")
    assert record["args"]["name"] == "out"
    assert json.loads(check("--format", "json", "safe.py")[1]) == []


def test_json_audit_verdicts_have_their_own_field(project: Path, check) -> None:
    _, out, _ = check("--format", "json", "--audit", ".")
    verdicts = [r for r in json.loads(out) if r["code"] is None]
    assert {v["verdict"] for v in verdicts} == {"unsafe", "safe-with-collection"}
    assert [v["codes"] for v in verdicts if v["verdict"] == "unsafe"] == [["PAR101"]]


def test_sarif_has_what_github_code_scanning_requires(project: Path, check) -> None:
    _, out, _ = check("--format", "sarif", ".")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["id"] and r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    (result,) = run["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "PAR101"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "unsafe.py"
    assert location["region"]["startLine"] == 8
    assert result["partialFingerprints"]["primaryLocationLineHash"]


def test_github_annotations(project: Path, check) -> None:
    code, out, _ = check("--format", "github", ".")
    assert code == 1
    line = out.strip()
    assert line.startswith("::error title=PAR101,file=unsafe.py,line=8,col=9,endLine=8,")
    assert "::PAR101 `out[item]['x']`" in line
