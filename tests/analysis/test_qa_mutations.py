"""The QA pass's analysis fixes, rule by rule, with the near misses that must stay clean: bound methods taken as
values (PAR102/PAR106), the standard library's in-place functions (PAR104), method calls made for their side
effect on outer objects (PAR108, and its allowlist of outward-only effects)."""

from __future__ import annotations

import pytest

from parallelize._analysis import analyze_module
from parallelize._analysis.catalogue import is_outward

LOOP = "from parallelize import {deco}\n\n\n@{deco}\ndef f(models, X, out, log):\n    for m in models:\n{body}"


def codes(body: str, deco: str = "parallel_for", header: str = "") -> list[str]:
    lines = "".join(f"        {line}\n" for line in body.splitlines())
    return [f.code for f in analyze_module(header + LOOP.format(deco=deco, body=lines), "t.py").findings]


@pytest.mark.parametrize("call", [
    "m.to_csv('a.csv')", "m.tofile('a.bin')", "m.save('m.pt')", "m.savefig('a.png')", "m.save_pretrained('d')",
    "m.write_text('x')", "m.write_bytes(b'x')", "m.print_summary()", "m.show()", "m.display()", "log.info('x')",
    "log.warning('x')", "log.log(10, 'x')", "log.exception('x')", "m.close()", "m.flush()", "m.assertEqual(1, 1)",
    "m.mkdir()", "m.unlink()", "m.upload_file('a')", "m.send(b'x')",
])
def test_outward_only_methods_are_not_reported(call: str) -> None:
    assert codes(call) == []


@pytest.mark.parametrize("call", [
    "m.fit(X)", "m.partial_fit(X)", "m.to('cuda')", "m.train()", "m.eval()", "m.set_params(alpha=1)",
    "m.reset()", "m.step()", "m.layers[0].freeze()", "out.custom_update(m)",
])
def test_method_called_for_its_side_effect_on_an_outer_object_is_par108(call: str) -> None:
    assert codes(call) == ["PAR108"]


@pytest.mark.parametrize("call", ["X.plot()", "m.scatter(X, X)", "m.set_title('t')", "m.legend()"])
def test_drawing_on_an_outer_object_is_par601(call: str) -> None:
    assert codes(call) == ["PAR601"]  # was PAR108: drawing has its own code and fix (data in the loop, plot after)


@pytest.mark.parametrize(("body", "expected"), [
    ("_ = m.fit(X)", []),  # bound: called for what it returns
    ("y = m.fit_transform(X)", []),  # documented limit: a result that is used
    ("out.append(m.fit(X))", []),  # a collector of what the call returns
    ("fresh = make(m)\nfresh.fit(X)", ["PAR109"]),  # `make` is unknown and receives outer `m` (was: safe)
    ("m.sort()", ["PAR102"]),  # a known mutator keeps its own code, once
    ("log.write('x')", ["PAR106"]),  # a write through an outer handle keeps its own code, once
    ("print(m.fit(X))", []),
])
def test_par108_near_misses_and_other_rules(body: str, expected: list[str]) -> None:
    assert codes(body) == expected


def test_par108_is_a_process_rule() -> None:
    assert codes("m.fit(X)", deco="io_bound") == []  # threads: the caller sees the change
    source = ("from parallelize import io_bound\n\n\n@io_bound\nasync def f(models, X):\n    for m in models:\n"
              "        m.fit(X)\n")
    assert analyze_module(source, "t.py").findings == []


def test_par108_through_a_helper_and_not_through_a_visible_pure_method() -> None:
    helper = "def train(model, X):\n    model.fit(X)\n\n\n"
    assert codes("train(m, X)", header=helper) == ["PAR108"]
    pure = "def score(model, X):\n    return model.predict(X)\n\n\n"
    assert codes("score(m, X)", header=pure) == []
    assert codes("_ = train(m, X)", header=helper) == ["PAR108"]  # the helper discards fit's result itself


def test_is_outward_prefixes_and_exact_names() -> None:
    assert is_outward("to_parquet") and is_outward("savefig") and is_outward("info")
    assert not is_outward("to") and not is_outward("fit") and not is_outward("information")


@pytest.mark.parametrize(("header", "call", "expected"), [
    ("import heapq as hq\n", "hq.heappush(out, m)", ["PAR104"]),
    ("from heapq import heapify\n", "heapify(out)", ["PAR104"]),
    ("from operator import setitem\n", "setitem(out, m, 1)", ["PAR104"]),
    ("import operator\n", "operator.iadd(out, [m])", ["PAR104"]),
    ("import bisect\n", "bisect.insort_right(out, m)", ["PAR104"]),
    ("import random\n", "random.shuffle(out)", ["PAR104"]),
    ("import struct\n", "struct.pack_into('i', out, 0, 1)", ["PAR104"]),
    ("import heapq\n", "heapq.nlargest(2, out)", []),  # reads only
    ("import bisect\n", "bisect.bisect(out, m)", []),
    ("import operator\n", "operator.add(out, [m])", []),
    ("import heapq\n", "heapq.heappush([], m)", []),  # a fresh list
    ("def heappush(h, x):\n    return [*h, x]\n\n\n", "heappush(out, m)", []),  # our own, pure: not heapq's
])
def test_stdlib_in_place_functions(header: str, call: str, expected: list[str]) -> None:
    assert codes(call, header=header) == expected


@pytest.mark.parametrize(("body", "expected"), [
    ("list(map(out.append, [m]))", ["PAR102"]),
    ("run(m, callback=out.add)", ["PAR109", "PAR102"]),  # `run` is unknown and receives outer `m` too
    ("list(map(log.write, [m]))", ["PAR106"]),
    ("fresh = []\nlist(map(fresh.append, [m]))", []),
    ("lookup = out.get\nlookup(m)", []),
])
def test_bound_method_taken_as_a_value(body: str, expected: list[str]) -> None:
    assert codes(body) == expected


def test_bound_method_alias_bound_before_the_loop() -> None:
    source = ("from parallelize import parallel_for\n\n\n@parallel_for\ndef f(xs):\n    out = []\n"
              "    add = out.append\n    get = out.index\n    for x in xs:\n        add(x)\n        get(x)\n"
              "    return out\n")
    findings = analyze_module(source, "t.py").findings
    assert [(f.line, f.code) for f in findings] == [(10, "PAR102")]
    assert "`add` (an alias of `out`" in findings[0].message
