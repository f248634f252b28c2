"""README opens with exactly the two set-up commands, and CI runs the second one verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _first_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"```bash\n(.*?)```", text, re.S)
    assert match, "README has no ```bash block"
    assert text.index(match.group(0)) < text.index("\n## "), "the commands must come before any section"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_readme_starts_with_two_commands_demo_then_tests() -> None:
    demo, tests = _first_block()
    assert demo.endswith("parallelize demo")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _first_block()[1] in ci


def test_every_public_name_is_mentioned_in_the_readme() -> None:
    import parallelize

    text = (ROOT / "README.md").read_text()
    missing = [name for name in parallelize.__all__ if name not in text]
    assert not missing, missing
