"""Decoration cost of map mode's task check (issue 10): how long ``@parallel_for`` takes on a typical function.

A module of 40 functions of 30 lines each (a data-science helper file) is written to a temporary folder and
imported. The first decoration imports the analysis (cold); each later one analyses a function not seen before
(warm: the target is under 5 ms); decorating the same function again is a cache hit. Prints a table of medians.

Run: python benchmarks/bench_decorate.py
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

N_FUNCTIONS = 40

FUNCTION = '''
def task_{k}(row, scale=1.0):
    """Clean one record and score it."""
    values = [float(v) for v in row if v is not None]
    if not values:
        return None
    mean = sum(values) / len(values)
    spread = max(values) - min(values)
    centred = [(v - mean) / (spread or 1.0) for v in values]
    weights = np.linspace(0.0, 1.0, len(centred))
    score = float(np.dot(weights, centred)) * scale
    label = "high" if score > 0.5 else "low"
    counts = {{}}
    for v in centred:
        key = round(v, 1)
        counts[key] = counts.get(key, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    result = {{"mean": mean, "spread": spread, "score": score, "label": label, "top": top}}
    if LIMITS["clip"]:
        result["score"] = min(result["score"], LIMITS["clip"])
    text = ",".join(f"{{k}}={{v}}" for k, v in sorted(result.items()))
    digest = hash(text) % 1000
    result["digest"] = digest
    result["n"] = len(values)
    result["ratio"] = result["n"] / (len(row) or 1)
    return result
'''


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    header = "import numpy as np\n\nLIMITS = {'clip': 2.0}\n"
    source = header + "".join(FUNCTION.format(k=k) for k in range(N_FUNCTIONS))
    (folder / "bench_decorate_module.py").write_text(source)
    sys.path.insert(0, str(folder))
    module = importlib.import_module("bench_decorate_module")
    from parallelize import parallel_for

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    parallel_for(loop=False)(module.task_0)
    cold = time.perf_counter() - started
    warm = []
    for k in range(1, N_FUNCTIONS):
        started = time.perf_counter()
        parallel_for(loop=False)(getattr(module, f"task_{k}"))
        warm.append(time.perf_counter() - started)
    again = []
    for k in range(1, N_FUNCTIONS):
        started = time.perf_counter()
        parallel_for(loop=False)(getattr(module, f"task_{k}"))
        again.append(time.perf_counter() - started)
    lines = len(source.splitlines())
    print(f"# bench_decorate: a {lines}-line module of {N_FUNCTIONS} functions of 30 lines, python "
          f"{sys.version.split()[0]}\n")
    print("| decoration | median (ms) | max (ms) |\n|---|---:|---:|")
    print(f"| first (imports the analysis) | {cold * 1e3:.1f} | {cold * 1e3:.1f} |")
    print(f"| a new function (warm) | {statistics.median(warm) * 1e3:.2f} | {max(warm) * 1e3:.2f} |")
    print(f"| the same function again (cached) | {statistics.median(again) * 1e3:.3f} | {max(again) * 1e3:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
