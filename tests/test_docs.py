"""The documentation site builds with ``mkdocs build --strict``, documents every rule and public name, and README
stays the short entry point that links into it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import docs_site
import pytest

import parallelize
from parallelize._analysis import all_rules
from parallelize._analysis.rules.base import DOCS_URL
from parallelize._checker import explain

ROOT = docs_site.ROOT
README_MAX_LINES = 250
# gpu_kernel is exported lazily (importing parallelize must not import numba), so the API page names its module.
API_PATHS = {"gpu_kernel": "parallelize._decorators.gpu_kernel.gpu_kernel"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site once, strictly (any warning fails), offline, from this checkout's library."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_mkdocs_build_strict_succeeds(site: Path) -> None:
    for page in ("index", "getting-started/index", "map-mode/index", "loop-mode/index", "checker/index",
                 "rules/index", "gpu/index", "clusters/index", "notebooks/index", "performance/index",
                 "api/index"):
        assert (site / f"{page}.html").is_file(), page
    assert not (site / "hooks.py").exists(), "the build hook is not a page"


def test_rules_page_lists_every_rule_the_checker_knows(site: Path) -> None:
    built = (site / "rules" / "index.html").read_text(encoding="utf-8")
    missing = [rule.code for rule in all_rules() if f'id="{rule.code.lower()}"' not in built]
    assert not missing, missing


def test_rules_page_is_the_explain_text() -> None:
    page = docs_site.page("rules.md")
    assert "<!-- generated" not in page
    for rule in all_rules():
        assert explain.markdown(rule, level=3) in page, rule.code
        # --explain prints the same doc, sections and all
        first = rule.doc.split("## Why is this bad?")[0].removeprefix("## What it does").strip()
        assert first in explain.explain(rule.code) and first in page, rule.code


def test_checker_page_table_is_explain_all() -> None:
    assert explain.table() in docs_site.page("checker.md")


def test_unknown_generated_part_is_an_error() -> None:
    with pytest.raises(ValueError, match="nope"):
        docs_site.hooks().substitute("<!-- generated: nope -->\nnote\n<!-- end generated -->\n")


def test_rule_urls_point_at_the_rules_page(site: Path) -> None:
    site_url = re.search(r"^site_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert site_url
    assert DOCS_URL.format(code="par101") == site_url.group(1) + "rules/#par101"
    assert all(rule.url.endswith(f"rules/#{rule.code.lower()}") for rule in all_rules())


def test_api_reference_documents_every_public_name(site: Path) -> None:
    source = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    built = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in parallelize.__all__:
        path = API_PATHS.get(name, f"parallelize.{name}")
        assert f"::: {path}\n" in source, name
        assert f'id="{path}"' in built, name


def test_readme_is_short_and_links_into_the_docs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    links = re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", text)
    assert any(link.startswith("docs/") for link in links)
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, missing
    for page in (ROOT / "docs").glob("*.md"):
        assert f"(docs/{page.name})" in text, f"README does not link docs/{page.name}"


def test_performance_plot_comes_from_the_recorded_tables(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import plot_tables
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    tables = plot_tables.parse(page)
    assert len(tables) == page.count("| library | median (s) | vs serial |") >= 6
    assert all(any(name == "parallelize" for name, _, _ in table.rows) for table in tables)
    assert "](img/benchmarks.png)" in page and (ROOT / "docs" / "img" / "benchmarks.png").is_file()
    out = tmp_path / "plot.png"
    plot_tables.plot(tables, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ci_builds_the_docs_strictly() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    pytest_line = next(i for i, line in enumerate(ci) if "-m pytest" in line)
    assert any("mkdocs build --strict" in line for line in ci[pytest_line + 1:])
