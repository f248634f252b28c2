"""Fuzz the analysis with generated and mutated Python source: findings or PAR0xx, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallelize._analysis import analyze_function, analyze_module, analyze_source_bytes

CASES = sorted((Path(__file__).parent / "cases").glob("*.py"))
SEEDS = [p.read_text() for p in CASES]
NAMES = st.sampled_from(["x", "acc", "out", "self", "items", "prev", "np", "seen", "f", "total", "i"])
ATOMS = st.one_of(NAMES, st.integers(-3, 99).map(str), st.just("[]"), st.just("{}"), st.just("None"))


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(ATOMS)
    inner = draw(expressions(depth + 1))
    form = draw(st.sampled_from(["{a}.append({b})", "{a}[{b}]", "{a} + {b}", "max({a}, {b})", "{a}.x",
                                 "[{b} for _ in {a}]", "(yield {a})", "lambda: {a}", "({a} := {b})" ,
                                 "np.add({a}, {b}, out={a})", "setattr({a}, {b}, 1)", "next({a})"]))
    return form.format(a=draw(NAMES), b=inner)


@st.composite
def statements(draw: st.DrawFn, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        expr = draw(expressions())
        kind = draw(st.sampled_from(["expr", "assign", "aug", "sub", "if", "for", "try", "with", "ctrl", "global"]))
        if kind in {"if", "for", "try", "with"} and depth < 3:
            body = ["    " + line for line in draw(statements(depth + 1))]
            header = {"if": f"if {expr}:", "for": f"for {draw(NAMES)} in {expr}:", "try": "try:",
                      "with": f"with {expr} as {draw(NAMES)}:"}[kind]
            lines += [header, *body]
            if kind == "try":
                lines += ["except Exception:", "    continue" if depth else "    pass"]
        elif kind == "assign":
            lines.append(f"{draw(NAMES)} = {expr}")
        elif kind == "aug":
            lines.append(f"{draw(NAMES)} {draw(st.sampled_from(['+=', '-=', '/=', '|=']))} {expr}")
        elif kind == "sub":
            lines.append(f"{draw(NAMES)}[{expr}] = {draw(ATOMS)}")
        elif kind == "ctrl":
            lines.append(draw(st.sampled_from(["break", "continue", "return x", "pass", "raise"])))
        elif kind == "global":
            lines.append(f"global {draw(NAMES)}")
        else:
            lines.append(expr)
    return lines


@st.composite
def programs(draw: st.DrawFn) -> str:
    body = ["    " + line for line in draw(statements())]
    loop = ["    for i in items:", *["        " + line for line in draw(statements(1))]]
    deco = draw(st.sampled_from(["@parallel_for", "@parallel_for(loop=False)", "@io_bound", ""]))
    tail = draw(st.sampled_from(["", "Parallel()(delayed(work)(i) for i in range(3))",
                                 "threading.Thread(target=work)", "pool.map(work, xs)"]))
    return "\n".join([deco, "def work(items, acc=[]):", *body, *loop, "    return acc", tail, ""])


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_generated_programs_never_raise(source: str) -> None:
    result = analyze_module(source, "gen.py", audit=True, strict=True)
    assert all(f.format() for f in result.findings)
    fa = analyze_function(source.split("\n", 1)[1] if source.startswith("@") else source, "gen.py", 1)
    assert fa.loop_count >= 0


@settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(SEEDS), st.integers(0, 10_000), st.integers(0, 50), st.binary(max_size=8))
def test_mutated_case_files_never_raise(seed: str, at: int, cut: int, noise: bytes) -> None:
    data = seed.encode()
    at %= max(len(data), 1)
    mutated = data[:at] + noise + data[at + cut :]
    result = analyze_source_bytes(mutated, "mut.py", audit=True)
    for finding in result.findings:
        assert finding.line >= 1 and finding.col >= 1
