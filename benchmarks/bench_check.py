"""Benchmark ``parallelize check`` on a real code base and compare with flake8 on the same files.

Run by hand (never from the tests)::

    python benchmarks/bench_check.py [TREE] [--flake8-files N]

Prints a table: files, lines, loops, findings per 1,000 loops, crashes, seconds and lines per second on one
core, for the default scope and for ``--audit``, and flake8's time on the same files.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from parallelize._analysis import analyze_source_bytes


def default_tree() -> Path:
    """Return scikit-learn's installed sources."""
    import sklearn

    return Path(sklearn.__file__).parent


def run_checker(files: list[Path], *, audit: bool) -> dict[str, float]:
    """Analyse every file on this core; return counts and timings (crashes are counted, never raised)."""
    lines = loops = findings = crashes = 0
    start = time.process_time()
    for path in files:
        data = path.read_bytes()
        try:
            result = analyze_source_bytes(data, str(path), audit=audit)
        except Exception as exc:  # a crash is a bug to report, not a reason to stop the benchmark
            crashes += 1
            print(f"CRASH {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        lines += data.count(b"\n")
        loops += result.loops
        findings += sum(1 for f in result.findings if f.rule.default)
    seconds = time.process_time() - start
    return {"lines": lines, "loops": loops, "findings": findings, "crashes": crashes, "seconds": seconds}


def run_flake8(files: list[Path]) -> float:
    """Return flake8's wall time (one process, ``-j 1``) on ``files``; ``nan`` if flake8 is missing."""
    command = [sys.executable, "-m", "flake8", "-j", "1", "--isolated", "--select", "E,F,W", "--exit-zero"]
    start = time.perf_counter()
    try:
        subprocess.run([*command, *map(str, files)], capture_output=True, check=False, timeout=1800)
    except (OSError, subprocess.TimeoutExpired):
        return float("nan")
    return time.perf_counter() - start


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", nargs="?", type=Path, default=None)
    parser.add_argument("--flake8-files", type=int, default=0, help="limit flake8 to the first N files (0: all)")
    args = parser.parse_args()
    tree = args.tree or default_tree()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    files = sorted(tree.rglob("*.py"))
    default = run_checker(files, audit=False)
    audit = run_checker(files, audit=True)
    subset = files[: args.flake8_files] if args.flake8_files else files
    flake8 = run_flake8(subset)
    subset_lines = sum(p.read_bytes().count(b"\n") for p in subset)
    print(f"tree: {tree} ({len(files)} files, {default['lines']:,} lines, {default['loops']:,} for loops)")
    print(f"{'run':<28}{'seconds':>9}{'lines/s':>11}{'findings':>10}{'/1k loops':>11}{'crashes':>9}")
    for name, row in (("parallelize check", default), ("parallelize check --audit", audit)):
        per_loop = 1000 * row["findings"] / max(row["loops"], 1)
        rate = row["lines"] / max(row["seconds"], 1e-9)
        print(f"{name:<28}{row['seconds']:>9.2f}{rate:>11,.0f}{row['findings']:>10,.0f}{per_loop:>11.1f}"
              f"{row['crashes']:>9.0f}")
    rate = subset_lines / flake8 if flake8 == flake8 and flake8 > 0 else float("nan")
    print(f"{'flake8 -j1 (E,F,W)':<28}{flake8:>9.2f}{rate:>11,.0f}{'':>10}{'':>11}{'':>9}"
          f"   ({len(subset)} files, {subset_lines:,} lines)")


if __name__ == "__main__":
    main()
