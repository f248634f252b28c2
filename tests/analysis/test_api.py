"""The API the loop rewriter consumes: analyze_function facts, loop selection, real lines, error text."""

from __future__ import annotations

import ast
import textwrap

from parallelize._analysis import analyze_function, format_findings_for_error

SOURCE = '''\
    @parallel_for
    def evaluate(self, models, X, y):
        scores = {}
        total = 0
        best = 0.0
        seen = []
        for name, model in models.items():
            s = model.score(X, y)
            scores[name] = s
            total += 1
            best = max(best, s)
            seen.append(name)
            seen.extend([name])
            last = name
        print(last, self)
        return scores, total, best
'''


def test_facts_of_a_safe_loop_in_an_indented_method() -> None:
    fa = analyze_function(SOURCE, "models.py", 40)
    assert fa.findings == []
    assert fa.loop_count == 1
    loop = fa.loop
    assert loop is not None and isinstance(loop.node, ast.For)
    assert loop.node.lineno + fa.line_offset == 46
    assert [(c.name, c.kind) for c in loop.collectors] == [("scores", "setitem"), ("seen", "append"),
                                                          ("seen", "extend")]
    assert [(r.name, r.op) for r in loop.reductions] == [("total", "+"), ("best", "max")]
    assert ast.unparse(loop.reductions[1].value) == "s"
    assert loop.private == {"name", "model", "s", "last"}
    assert loop.live_after == {"last"}
    assert {"X", "y"} <= loop.shared_reads
    assert {"scores", "total", "best", "seen", "models"} <= loop.before
    assert fa.tree is not None and fa.function is not None and fa.function.name == "evaluate"


def test_findings_carry_real_lines_and_name_the_object() -> None:
    source = textwrap.dedent('''\
        def f(items):
            out = []
            for x in items:
                out.sort()
            return out
    ''')
    fa = analyze_function(source, "m.py", 100)
    (finding,) = fa.findings
    assert finding.format().startswith("m.py:103:9: PAR102 `out.sort()` mutates `out` (bound at line 101)")
    assert finding.path == "m.py" and finding.line == 103 and finding.col == 9
    text = format_findings_for_error(fa.findings)
    assert text.splitlines()[0].startswith("this loop cannot run in parallel safely (1 problem)")
    assert "m.py:103:9: PAR102" in text


def test_loop_selection() -> None:
    source = "def f(xs):\n    a = []\n    for x in xs:\n        a.append(x)\n    for y in a:\n        print(y)\n"
    assert [f.code for f in analyze_function(source, "m.py", 1).findings] == ["PAR205"]
    assert analyze_function(source, "m.py", 1).loop_count == 2
    second = analyze_function(source, "m.py", 1, loop=2)
    assert second.loop is not None and second.loop.index == 2 and second.loop.node.lineno == 5
    assert analyze_function(source, "m.py", 1, loop=3).loop is None
    mapped = analyze_function(source, "m.py", 1, loop=False)
    assert mapped.loop is None and mapped.findings == []


def test_loops_inside_with_if_try_are_candidates_but_nested_ones_are_not() -> None:
    source = textwrap.dedent('''\
        def f(xs, flag):
            out = []
            with open("x") as fh:
                if flag:
                    for x in xs:
                        for y in x:
                            pass
                        out.append(x)
            return out
    ''')
    fa = analyze_function(source, "m.py", 1)
    assert fa.loop_count == 1 and fa.loop is not None and fa.loop.node.lineno == 5


def test_threads_mode_allows_locked_writes_and_items_but_processes_do_not() -> None:
    source = textwrap.dedent('''\
        def f(rows, lock, totals):
            for row in rows:
                row["seen"] = True
                with lock:
                    totals["n"] += 1
    ''')
    assert {f.code for f in analyze_function(source, "m.py", 1).findings} == {"PAR101"}
    assert len(analyze_function(source, "m.py", 1).findings) == 2
    assert analyze_function(source, "m.py", 1, mode="threads").findings == []


def test_map_mode_refusal_mentions_the_way_out() -> None:
    source = "def f(xs):\n    prev = 0\n    for x in xs:\n        y = x - prev\n        prev = x\n"
    (finding,) = analyze_function(source, "m.py", 1).findings
    assert finding.code == "PAR301" and "loop=False" in finding.message and "`.map`" in finding.message


def test_asyncio_mode_allows_writes_but_not_control_flow() -> None:
    source = "async def f(urls, seen):\n    for u in urls:\n        seen[u] += 1\n        if u:\n            break\n"
    assert {f.code for f in analyze_function(source, "m.py", 1).findings} == {"PAR101", "PAR201"}
    assert {f.code for f in analyze_function(source, "m.py", 1, mode="asyncio").findings} == {"PAR201"}
