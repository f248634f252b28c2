"""Loop mode refuses unsafe loops at decoration, and agrees with ``parallelize check`` on every case file (issue 3).

Refusals: each function in ``refused_functions.py`` raises ``SharedStateError`` carrying exactly the annotated
rule codes and file lines, and the message names the way out (``loop=False``). Agreement: for every decorated
function in ``tests/analysis/cases``, decorating it raises iff ``analyze_module`` reports findings on its lines,
with the same codes and lines.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import sys
import types
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import refused_functions as R

from parallelize import SharedStateError, io_bound, parallel_for
from parallelize._analysis import analyze_module
from parallelize._checker import check_paths
from parallelize._checker.settings import Settings

_ANNOTATION = re.compile(r"#\s*((?:PAR\d{3}(?::\s*\d+)?[\s,]*)+)$")
_CODE = re.compile(r"PAR\d{3}")
CASES_DIR = Path(__file__).parent.parent / "analysis" / "cases"


def annotated(path: str, first: int, last: int) -> Counter[tuple[int, str]]:
    """Return the (line, code) annotations between two file lines, with multiplicity."""
    found: Counter[tuple[int, str]] = Counter()
    lines = Path(path).read_text().splitlines()
    for number in range(first, last + 1):
        match = _ANNOTATION.search(lines[number - 1])
        if match:
            for code in _CODE.findall(match.group(1)):
                found[(number, code)] += 1
    return found


def span(fn: Callable[..., Any]) -> tuple[int, int]:
    lines, first = inspect.getsourcelines(fn)
    return first, first + len(lines) - 1


def refused(fn: Callable[..., Any], **options: Any) -> SharedStateError:
    with pytest.raises(SharedStateError) as info:
        parallel_for(**options)(fn)
    return info.value


def findings_of(error: SharedStateError) -> Counter[tuple[int, str]]:
    return Counter((f.line, f.code) for f in error.findings)


REFUSED = [
    obj for name, obj in vars(R).items()
    if isinstance(obj, types.FunctionType) and obj.__module__ == R.__name__ and name != "nonlocal_write_in_loop"
    and not name.startswith("_")  # private helpers that the refused functions call
]
REFUSED += [R.nonlocal_write_in_loop([1, 2]), R.Counter.add_all]  # a closure with `nonlocal`; a method


def test_every_refused_function_is_annotated() -> None:
    assert len(REFUSED) >= 25
    for fn in REFUSED:
        assert annotated(R.__file__, *span(fn)), fn.__qualname__


def _refused_params() -> list[Any]:
    return [pytest.param(fn, id=fn.__qualname__) for fn in REFUSED]


@pytest.mark.parametrize("fn", _refused_params())
def test_unsafe_loop_is_refused_with_its_codes_and_lines(fn: Callable[..., Any]) -> None:
    error = refused(fn, **R.OPTIONS.get(fn.__name__, {}))
    assert findings_of(error) == annotated(R.__file__, *span(fn)), str(error)
    message = str(error)
    assert "loop=False" in message
    for finding in error.findings:
        assert finding.path == R.__file__
        assert f"{R.__file__}:{finding.line}:{finding.col}: {finding.code}" in message
        assert finding.message in message  # the checker's message, fix included


@pytest.mark.parametrize("fn", REFUSED[:6], ids=lambda f: f.__qualname__)
def test_io_bound_refuses_the_same_loops(fn: Callable[..., Any]) -> None:
    with pytest.raises(SharedStateError) as info:
        io_bound(fn)
    assert {f.code for f in info.value.findings} == {code for _, code in annotated(R.__file__, *span(fn))}


def test_refusal_matches_parallelize_check_on_the_same_file() -> None:
    module = analyze_module(Path(R.__file__).read_text(), R.__file__)
    assert module.findings == []  # undecorated: nothing runs in parallel, nothing to report
    # Decorating in the source makes the checker see the same findings the rewriter raised.
    # (the decorator takes the place of the comment line above the def, so every line keeps its number)
    lines = Path(R.__file__).read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("def running_total("))
    assert lines[index - 1].startswith("#")
    lines[index - 1] = "@parallel_for"
    source = "\n".join(lines) + "\n"
    checked = analyze_module(source, R.__file__)
    error = refused(R.running_total)
    assert [(f.line, f.code, f.message) for f in checked.findings] == [
        (f.line, f.code, f.message) for f in error.findings]


def test_several_loops_need_loop_n() -> None:
    error = refused(R.several_loops)
    assert [f.code for f in error.findings] == ["PAR205"]
    assert "loop=" in str(error)
    parallel_for(loop=1)(R.several_loops)
    parallel_for(loop=2)(R.several_loops)


def test_loop_n_beyond_the_loops_is_refused() -> None:
    with pytest.raises(SharedStateError, match=r"loop=3 .* 2 top-level"):
        parallel_for(loop=3)(R.several_loops)


def test_loop_false_accepts_any_body() -> None:
    for fn in REFUSED:
        assert parallel_for(loop=False)(fn).__wrapped__ is fn


def test_function_without_source_is_refused() -> None:
    namespace: dict[str, Any] = {}
    exec("def made(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n", namespace)
    error = refused(namespace["made"])
    assert "source" in str(error)
    assert "loop=False" in str(error)
    assert parallel_for(loop=False)(namespace["made"]).map([[1], [2]]) == [[1], [2]]


def test_async_function_with_explicit_loop_is_refused() -> None:
    async def fetch_all(urls, session):
        pages = []
        for url in urls:
            pages.append(await session.get(url))  # noqa: PAR203 - deliberate: decoration must refuse it
        return pages

    with pytest.raises(SharedStateError, match="loop=False"):
        io_bound(loop=1)(fetch_all)


# --- the rewriter and the checker agree on every case file -----------------------------------------------------
def _decorated_functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, str]]:
    """(qualname, node, decorator source) of every function decorated with parallel_for/io_bound."""
    found = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in node.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                    if name in {"parallel_for", "io_bound"}:
                        found.append((prefix + node.name, node, name))
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                visit([*getattr(node, "body", []), *getattr(node, "orelse", [])], prefix)

    visit(tree.body, "")
    return found


def _case_files() -> list[Path]:
    return sorted(p for p in CASES_DIR.glob("*.py") if "@parallel_for" in p.read_text() or "@io_bound" in
                  p.read_text())


def _rewriter_findings(path: Path, qualname: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Any:
    """Decorate the function again from its undecorated object, as loop mode would at import time."""
    source = path.read_text()
    tree = ast.parse(source)
    # Re-create the module with the parallelize decorators removed, so that we get the plain functions; then
    # decorate each with the same decorator call the file wrote.
    plain = _strip_decorators(tree)
    name = f"_par_plain_{path.stem}"
    spec = importlib.util.spec_from_loader(name, loader=None, origin=str(path))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    sys.modules[name] = module
    try:
        exec(compile(plain, str(path), "exec"), module.__dict__)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        sys.modules.pop(name, None)
    fn: Any = module
    for part in qualname.split("."):
        fn = getattr(fn, part) if not isinstance(fn, type) else fn.__dict__[part]
    decorator = _decorator_of(node, module.__dict__)
    try:
        decorator(fn)
    except SharedStateError as exc:
        return exc
    return None


def _strip_decorators(tree: ast.Module) -> ast.Module:
    class Strip(ast.NodeTransformer):
        def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
            node.decorator_list = [d for d in node.decorator_list if not _is_ours(d)]
            return self.generic_visit(node)

        visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    return ast.fix_missing_locations(Strip().visit(tree))


def _is_ours(dec: ast.expr) -> bool:
    target = dec.func if isinstance(dec, ast.Call) else dec
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name in {"parallel_for", "io_bound"}


def _decorator_of(node: ast.FunctionDef | ast.AsyncFunctionDef, namespace: dict[str, Any]) -> Callable[..., Any]:
    for dec in node.decorator_list:
        if _is_ours(dec):
            return eval(compile(ast.Expression(dec), "<decorator>", "eval"),  # the file's own decorator call
                        {"parallel_for": parallel_for, "io_bound": io_bound, **namespace})
    raise LookupError(node.name)


#: Loop-mode functions on which the rewriter and the checker disagree today (strict xfail: the lead fixes them).
DISAGREEMENTS: dict[str, str] = {}


def _loop_option(node: ast.FunctionDef | ast.AsyncFunctionDef) -> object:
    for dec in node.decorator_list:
        if _is_ours(dec) and isinstance(dec, ast.Call):
            for keyword in dec.keywords:
                if keyword.arg == "loop" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value
    return None


def _case_params() -> list[Any]:
    params = []
    for path in _case_files():
        reason = DISAGREEMENTS.get(path.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(path, marks=marks, id=path.name))
    return params


@pytest.mark.parametrize("path", _case_params())
def test_rewriter_and_checker_agree_on_case_file(path: Path) -> None:
    from parallelize._analysis.loops import candidate_loops

    source = path.read_text()
    tree = ast.parse(source)
    checked = analyze_module(source, str(path))
    functions = _decorated_functions(tree)
    assert functions, path.name
    for qualname, node, _ in functions:
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        last = node.end_lineno or node.lineno
        want = Counter((f.line, f.code) for f in checked.findings if first <= f.line <= last)
        outcome = _rewriter_findings(path, qualname, node)
        if isinstance(outcome, str):
            pytest.skip(f"{path.name} cannot be imported here: {outcome}")
        got = Counter((f.line, f.code) for f in outcome.findings) if outcome is not None else Counter()
        if _loop_option(node) is False or not candidate_loops(node.body):
            # Map mode: plain calls are unchanged and nothing is rewritten, so decoration never refuses; the
            # task's findings are `parallelize check`'s to report (DESIGN "Loop mode").
            assert outcome is None, f"{path.name}::{qualname} is map mode but decoration raised:\n{outcome}"
            continue
        assert got == want, (
            f"{path.name}::{qualname}: checker says {sorted(want)}, decoration says "
            f"{'SharedStateError ' + str(sorted(got)) if outcome is not None else 'accepted'}"
            + (f"\n{outcome}" if outcome is not None else ""))
        assert (outcome is not None) == bool(want)


# --- a noqa comment silences the checker, never the rewriter (it cannot make a rewrite correct) ------------------
def sorts_with_noqa(xs):
    out = []
    for x in xs:
        out.append(x)
        out.sort()  # noqa: PAR102
    return out


def test_noqa_does_not_make_the_decorator_accept_a_loop() -> None:
    error = refused(sorts_with_noqa)
    assert [f.code for f in error.findings] == ["PAR102"]
    message = str(error)
    assert "`# noqa` silences `parallelize check` only" in message
    assert "loop=False" in message


def test_the_noqa_note_appears_only_when_a_reported_line_carries_one() -> None:
    assert "noqa" not in str(refused(R.sort_inside))


def sorts_with_noqa_in_a_string(xs):
    out = []
    for x in xs:
        out.append(x)
        out.sort(key=lambda v: str(v) + "# noqa: PAR102")
    return out


def sorts_with_noqa_for_another_code(xs):
    out = []
    for x in xs:
        out.append(x)
        out.sort()  # noqa: PAR101
    return out


def test_the_noqa_note_reads_comments_as_the_checker_does() -> None:
    # A noqa marker inside a string is not a comment, and a comment naming other codes does not silence this one: in
    # both cases the checker still reports the line, so the note would be wrong (the old regex said it).
    for fn in (sorts_with_noqa_in_a_string, sorts_with_noqa_for_another_code):
        error = refused(fn)
        assert [f.code for f in error.findings] == ["PAR102"]
        assert "silences `parallelize check` only" not in str(error)


def test_checker_honours_noqa_where_the_decorator_refuses(tmp_path: Path) -> None:
    source = ("from parallelize import parallel_for\n\n\n@parallel_for\ndef f(items):\n    out = []\n"
              "    for x in items:\n        out.append(x)\n        out.sort()  # noqa: PAR102\n    return out\n")
    path = tmp_path / "noqa_module.py"
    path.write_text(source)
    assert check_paths([str(path)], Settings()).findings == []  # the checker: silenced
    spec = importlib.util.spec_from_file_location("noqa_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(SharedStateError, match="noqa` silences") as info:
        spec.loader.exec_module(module)  # the decorator: still refuses, and says why
    assert [(f.line, f.code) for f in info.value.findings] == [(9, "PAR102")]
