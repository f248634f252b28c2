"""Rewritten loop-mode functions are kept on disk: a new process that decorates the same function again skips the
analysis and the rewrite, an edit to the function analyses afresh, refusals are never kept, a damaged entry is
ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from subprocess_env import child_env

from parallelize._rewrite import cache

SCRIPT = """
import json

from parallelize import SharedStateError, parallel_for
from parallelize._rewrite import pipeline


def squares(xs):
    out = []
    for x in xs:
        out.append(x * x)
    return out


def running(xs):
    total, out = 0, []
    for x in xs:
        total += x
        out.append(total)
    return out


decorated = parallel_for(squares)
try:
    parallel_for(running)
    refused = None
except SharedStateError as exc:
    refused = [f.code for f in exc.findings]
print(json.dumps({"result": decorated([1, 2, 3]), "analysed": pipeline.analyses > 0,
                  "refused": refused}))
"""


def _run(script: Path, cache_dir: Path) -> dict[str, Any]:
    env = child_env(cache_dir)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                          cwd=script.parent, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_process_reuses_the_rewrite_and_an_edit_analyses_afresh(tmp_path: Path) -> None:
    script = tmp_path / "legacy.py"
    script.write_text(SCRIPT)
    cache_dir = tmp_path / "cache"
    first, second = _run(script, cache_dir), _run(script, cache_dir)
    assert first["result"] == second["result"] == [1, 4, 9]
    # the refusal is computed each time (and needs the analysis); drop it to see the rewrite come from disk
    assert first["refused"] == second["refused"] == ["PAR302"]
    script.write_text(SCRIPT.replace("    parallel_for(running)\n", "    pass\n"))
    third, fourth = _run(script, cache_dir), _run(script, cache_dir)
    assert third["analysed"] and not fourth["analysed"]  # the edit analysed afresh, then came from disk
    assert third["result"] == fourth["result"] == [1, 4, 9]
    script.write_text(SCRIPT.replace("x * x", "x * x + 1").replace("    parallel_for(running)\n", "    pass\n"))
    edited = _run(script, cache_dir)
    assert edited["analysed"] and edited["result"] == [2, 5, 10]
    assert list((cache_dir / "loops").glob("*.marshal"))


def test_refusals_and_damaged_entries_are_not_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", str(tmp_path))
    key = ("file.py", 1, "source", "module", "None", "processes", None, (), True)
    cache.store(key, ValueError("a refusal is an exception, not a rewrite"))
    assert cache.load(key) is None
    cache.store(key, cache.NO_LOOP)
    assert cache.load(key) == cache.NO_LOOP
    for entry in (tmp_path / "loops").glob("*.marshal"):
        entry.write_bytes(b"\x00 not marshal data")
    assert cache.load(key) is None


def test_the_cache_prunes_its_oldest_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 8)
    for i in range(9):
        cache.store(("file.py", i, "source", "module", "None", "processes", None, (), True), cache.NO_LOOP)
        entry = max((tmp_path / "loops").glob("*.marshal"), key=lambda p: p.stat().st_mtime_ns)
        os.utime(entry, (1_000_000 + i, 1_000_000 + i))  # distinct, increasing ages
    kept = list((tmp_path / "loops").glob("*.marshal"))
    assert len(kept) == 4
    newest = ("file.py", 8, "source", "module", "None", "processes", None, (), True)
    assert cache.load(newest) == cache.NO_LOOP  # the newest entries stay


ASSERTS = """
from parallelize import parallel_for


def doubled(xs):
    out = []
    for x in xs:
        assert x >= 0, "negative"
        out.append(2 * x)
    return out


try:
    print(parallel_for(backend="threads")(doubled)([1, -2, 3]))
except AssertionError:
    print("AssertionError")
"""


def test_a_rewrite_compiled_under_python_O_does_not_serve_a_normal_run(tmp_path: Path) -> None:
    script = tmp_path / "asserts.py"
    script.write_text(ASSERTS)
    env = child_env(tmp_path / "cache")
    outputs = []
    for flags in (["-O"], []):
        done = subprocess.run([sys.executable, *flags, str(script)], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.strip().splitlines()[-1])
    assert outputs == ["[2, -4, 6]", "AssertionError"]


def test_an_entry_of_another_shape_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", str(tmp_path))
    key = ("file.py", 1, "source", "module", "None", "processes", None, (), True)
    cache.store(key, cache.NO_LOOP)
    for entry in (tmp_path / "loops").glob("*.marshal"):
        entry.write_bytes(marshal.dumps(5))
    assert cache.load(key) is None
