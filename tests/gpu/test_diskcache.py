"""Compiled kernels in numba's on-disk cache: a new process (a script's next run, a loky worker) loads the machine
code instead of compiling, an edit to the kernel's file compiles afresh, and closures never share an entry."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from subprocess_env import child_env

from parallelize._gpu import diskcache
from parallelize._gpu.kernel import GPUKernel, KernelOptions

MODULE = """
import os

import numpy as np

from parallelize import gpu, gpu_kernel, parallel_for


@gpu_kernel(device="cpu")
def combine(a, x, y):
    return a * x + y


def make_offset(c):
    @gpu_kernel(device="cpu")
    def offset(x):
        return x + c

    return offset


@gpu_kernel(kind="grid", device="cpu")
def triple(out, x):
    for i in range(gpu.index(), out.size, gpu.stride()):
        out[i] = 3.0 * x[i]


def counts(name):
    from parallelize._gpu import diagnostics

    found = [r for r in diagnostics.stats() if r.name == name]
    return [sum(r.compiles for r in found), sum(r.loads for r in found)]


def task(i):
    value = combine(2.0, np.arange(4.0), float(i)).tolist()
    return os.getpid(), value, counts("combine")
"""

RUNNER = """
import json
import os

import numpy as np

import cachedkernels as k

x = np.arange(6.0)
out = np.empty_like(x)
k.triple(out, x)
result = {
    "combine": k.combine(2.0, x, x).tolist(),
    "offset1": k.make_offset(1.0)(x).tolist(),
    "offset5": k.make_offset(5.0)(x).tolist(),
    "triple": out.tolist(),
}
stats = {name: k.counts(name) for name in ("combine", "make_offset.<locals>.offset", "triple")}
workers = None
if os.environ.get("MAP_IN_WORKERS"):
    k.task(0)  # compiled here once, for the layout the workers use
    mapped = k.parallel_for(loop=False, backend="loky", n_jobs=2, batch_size=1)(k.task)
    workers = mapped.map(range(6))
print(json.dumps({"pid": os.getpid(), "result": result, "stats": stats, "workers": workers}))
"""


def _run(directory: Path, cache: Path, **extra: str) -> dict[str, Any]:
    env = child_env(cache, PYTHONPATH=str(directory), **extra)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER], capture_output=True, text=True, env=env, cwd=directory, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "cachedkernels.py").write_text(MODULE)
    return tmp_path


def _expected(formula: str = "a * x + y") -> dict[str, list[float]]:
    x = np.arange(6.0)
    combined = 2.0 * x + x if formula == "a * x + y" else 2.0 * x - x
    return {
        "combine": combined.tolist(),
        "offset1": (x + 1.0).tolist(),
        "offset5": (x + 5.0).tolist(),
        "triple": (3.0 * x).tolist(),
    }


def test_a_new_process_loads_every_kernel_instead_of_compiling(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(project, cache)
    second = _run(project, cache)
    assert first["result"] == second["result"] == _expected()
    for name, (compiles, loads) in first["stats"].items():
        assert compiles >= 1 and loads == 0, (name, first["stats"])
    for name, (compiles, loads) in second["stats"].items():
        assert compiles == 0 and loads >= 1, (name, second["stats"])
    # the two closures over different constants have entries of their own
    assert second["stats"]["make_offset.<locals>.offset"] == [0, 2]
    assert list((cache / "kernels").glob("pz_*.py"))


def test_editing_the_kernel_file_compiles_afresh(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _run(project, cache)["result"] == _expected()
    module = project / "cachedkernels.py"
    module.write_text(module.read_text().replace("return a * x + y", "return a * x - y"))
    edited = _run(project, cache)
    assert edited["result"] == _expected("a * x - y")
    assert edited["stats"]["combine"][0] >= 1


def test_process_workers_load_the_kernel_the_parent_compiled(project: Path, tmp_path: Path) -> None:
    report = _run(project, tmp_path / "cache", MAP_IN_WORKERS="1")
    pids = {pid for pid, _, _ in report["workers"]}
    assert report["pid"] not in pids
    for i, (_, value, _) in enumerate(report["workers"]):
        assert value == (2.0 * np.arange(4.0) + i).tolist()
    per_worker: dict[int, list[int]] = {}
    for pid, _, (compiles, loads) in report["workers"]:
        per_worker[pid] = [compiles, loads]
    for pid, (compiles, loads) in per_worker.items():
        assert compiles == 0 and loads >= 1, (pid, per_worker)


def _closure_over(value: object) -> Any:
    def kernel(x: float) -> float:
        return x + (value if isinstance(value, float) else 0.0)  # type: ignore[operator]

    return kernel


def test_only_soundly_keyed_functions_are_cacheable() -> None:
    def plain(x: float) -> float:
        return x + 1.0

    namespace: dict[str, Any] = {}
    exec("def dynamic(x):\n    return x\n", namespace)
    assert diskcache.cacheable(plain)
    assert diskcache.cacheable(_closure_over(2.0))
    assert not diskcache.cacheable(_closure_over(2.0), allow_closure=False)
    assert diskcache.cacheable(_closure_over(np.arange(3.0)))  # an array baked in as a constant: keyed by content
    assert not diskcache.cacheable(_closure_over(object()))  # something we cannot key
    assert not diskcache.cacheable(namespace["dynamic"])  # no source file to key by


def test_fingerprint_tells_closure_values_apart() -> None:
    assert diskcache.fingerprint(_closure_over(1.0)) == diskcache.fingerprint(_closure_over(1.0))
    assert diskcache.fingerprint(_closure_over(1.0)) != diskcache.fingerprint(_closure_over(2.0))


FACTOR = 2.0
TABLE = np.arange(3.0)


def _reads_globals(x: float) -> float:
    return x * FACTOR + TABLE[0]


def _calls_a_helper(x: float) -> float:
    return _reads_globals(x) + 1.0


def test_fingerprint_covers_the_globals_a_kernel_reads_and_the_functions_it_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = diskcache.fingerprint(_reads_globals), diskcache.fingerprint(_calls_a_helper)
    monkeypatch.setitem(globals(), "FACTOR", 3.0)
    after_value = diskcache.fingerprint(_reads_globals), diskcache.fingerprint(_calls_a_helper)
    monkeypatch.setitem(globals(), "TABLE", np.array([9.0, 1.0, 2.0]))
    after_table = diskcache.fingerprint(_reads_globals), diskcache.fingerprint(_calls_a_helper)
    assert len({before, after_value, after_table}) == 3
    assert all(len(set(pair)) == 2 for pair in (before, after_value, after_table))
    # code numba caches under its own key (file and bytecode) must not read values at all
    assert not diskcache.cacheable(_reads_globals, allow_closure=False)


RUNTIME_GLOBAL = """
import os

import numpy as np

from parallelize import gpu_kernel

K = float(os.environ["K"])


@gpu_kernel(device="cpu")
def scale(x):
    return x * K


print(scale(np.arange(3.0)).tolist())
"""


def test_a_global_set_at_run_time_is_never_served_stale_from_the_cache(tmp_path: Path) -> None:
    script = tmp_path / "scale.py"
    script.write_text(RUNTIME_GLOBAL)
    env = child_env(tmp_path / "cache")
    seen = []
    for k in ("2", "5", "2"):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              env={**env, "K": k}, cwd=tmp_path, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        seen.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert seen == [[0.0, 2.0, 4.0], [0.0, 5.0, 10.0], [0.0, 2.0, 4.0]]


def _saxpy(a: float, x: float, y: float) -> float:
    return a * x + y


def test_cache_false_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", str(tmp_path / "cache"))
    x = np.arange(5.0)
    kernel = GPUKernel(_saxpy, KernelOptions(device="cpu", cache=False))
    np.testing.assert_array_equal(kernel(3.0, x, x), 3.0 * x + x)
    assert not list((tmp_path / "cache").rglob("*.py"))


def test_an_unwritable_cache_directory_compiles_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("PARALLELIZE_CACHE_DIR", str(blocker / "kernels"))

    def cubed_plus(x: float, y: float) -> float:  # a function of its own: not compiled by another test
        return x * x * x + y

    x = np.arange(5.0)
    kernel = GPUKernel(cubed_plus, KernelOptions(device="cpu"))
    np.testing.assert_array_equal(kernel(x, 1.0), x**3 + 1.0)


def test_generated_files_are_written_once_and_atomically(tmp_path: Path) -> None:
    target = tmp_path / "pz_example.py"
    diskcache._write_once(target, "first = 1\n")
    stamp = target.stat().st_mtime_ns
    diskcache._write_once(target, "second = 2\n")
    assert target.read_text() == "first = 1\n" and target.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == ["pz_example.py"]  # no temporary file left behind


SCRIPT = """
import json

import numba
import numpy as np

from parallelize import gpu_kernel, parallel_for
from parallelize._gpu import diagnostics


@numba.njit
def complement(a):
    return 1 - a


@gpu_kernel(device="cpu")
def blend(a, x, y):
    return a * x + complement(a) * y


@parallel_for(loop=False, backend="loky", n_jobs=2, batch_size=1)
def task(i):
    value = blend(0.25, np.arange(5.0), float(i)).tolist()
    return value, [[r.compiles, r.loads] for r in diagnostics.stats() if r.name == "blend"]


if __name__ == "__main__":
    blend(0.25, np.arange(5.0), 1.0)
    print(json.dumps(task.map(range(4))))
"""


def test_a_kernel_defined_in_a_script_reaches_process_workers_and_their_disk_cache(tmp_path: Path) -> None:
    # blend calls an @njit helper defined in the script too: both reach the workers by value and must be keyed
    # there as in the parent
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = child_env(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    x = np.arange(5.0)
    for i, (value, counts) in enumerate(results):
        assert value == (0.25 * x + 0.75 * i).tolist()
        assert counts == [[0, 1]], results  # the worker loaded what the script compiled


def _scale_by_two(x: float) -> float:
    return x * 2.0


def _scale_by_three(x: float) -> float:
    return x * 3.0


_helpers = types.ModuleType("qa_helpers")  # stands for a module the kernel imports: `import helpers`
_helpers.K = 2.0  # type: ignore[attr-defined]
_helpers.scale = _scale_by_two  # type: ignore[attr-defined]


def _reads_a_module_attribute(x: float) -> float:
    return _helpers.scale(x) + _helpers.K


class _Settings:
    factor = 2.0


def _reads_a_class(x: float) -> float:
    return x * _Settings.factor


def test_attributes_read_from_another_module_are_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = diskcache.fingerprint(_reads_a_module_attribute)
    monkeypatch.setattr(_helpers, "K", 100.0)
    after_value = diskcache.fingerprint(_reads_a_module_attribute)
    monkeypatch.setattr(_helpers, "scale", _scale_by_three)
    after_helper = diskcache.fingerprint(_reads_a_module_attribute)
    assert len({before, after_value, after_helper}) == 3
    assert not diskcache.cacheable(_reads_a_module_attribute, allow_closure=False)
    assert not diskcache.cacheable(_reads_a_class)  # a class can change without anything we can see


def test_a_damaged_generated_file_is_replaced(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _run(project, cache)["result"] == _expected()
    for path in (cache / "kernels").glob("pz_*.py"):
        path.write_text("garbage(")
    for path in (cache / "kernels").glob("*.types.json"):
        path.write_text('{"float64,float64,float64": "not a dtype"}')
    assert _run(project, cache)["result"] == _expected()
