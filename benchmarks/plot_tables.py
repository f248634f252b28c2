"""Plot the benchmark tables that bench_cpu.py and bench_io.py print: one panel per workload, speed-up vs serial.

Reads Markdown: a heading (``### 200,000 trivial tasks``) followed by a table whose columns start
``| library | median (s) | vs serial |``, as the benchmarks print them and as docs/performance.md records them.
Every other line is ignored, so a saved benchmark run and the documentation page both work:

    python benchmarks/plot_tables.py docs/performance.md --out docs/img/benchmarks.png
    python benchmarks/bench_cpu.py --plot cpu.png            # the same plot, from the run's own tables
    python benchmarks/bench_cpu.py | python benchmarks/plot_tables.py - --out cpu.png

The x axis is serial time / library time on a log scale (higher is better; 1 = as fast as serial), with
parallelize's bar in its own colour and each bar labelled with its median time.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HEADING = re.compile(r"^#+\s+(.*\S)\s*$")
ROW = re.compile(r"^\|(.*)\|\s*$")


@dataclass(frozen=True)
class Table:
    """One workload's results: its title and, per library, the median seconds and the speed-up vs serial."""

    title: str
    rows: tuple[tuple[str, float, float], ...]


def parse(markdown: str) -> list[Table]:
    """Return every benchmark table in ``markdown`` (a table under a heading, with library/median/vs serial)."""
    tables: list[Table] = []
    title = ""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        heading = HEADING.match(lines[i])
        if heading:
            title = heading.group(1).replace("`", "")
        cells = _cells(lines[i])
        if cells[:3] == ["library", "median (s)", "vs serial"]:
            rows = []
            i += 2  # the header and the |---| line
            while i < len(lines) and (cells := _cells(lines[i])):
                with contextlib.suppress(ValueError):  # a "-" where a run had no serial baseline
                    rows.append((cells[0], float(cells[1]), float(cells[2].rstrip("x"))))
                i += 1
            if rows:
                tables.append(Table(title, tuple(rows)))
            continue
        i += 1
    return tables


def _cells(line: str) -> list[str]:
    match = ROW.match(line.strip())
    return [cell.strip() for cell in match.group(1).split("|")] if match else []


def plot(tables: list[Table], path: Path, columns: int = 2) -> None:
    """Write one PNG with a horizontal bar chart per table to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    rows = math.ceil(len(tables) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6.2 * columns, 2.6 * rows), squeeze=False)
    for ax, table in zip(axes.flat, tables, strict=False):
        names = [name for name, _, _ in table.rows]
        speedups = [speedup for _, _, speedup in table.rows]
        colours = ["tab:orange" if name == "parallelize" else "tab:blue" for name in names]
        ax.barh(names, speedups, color=colours)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.invert_yaxis()
        ax.set_title(table.title, fontsize=9)
        ax.set_xlabel("speed-up vs serial (log scale, higher is better)", fontsize=8)
        ax.tick_params(labelsize=8)
        low, high = min(speedups), max(speedups)
        ax.set_xlim(min(low, 1.0) / 2, max(high, 1.0) * 3)
        for y, (_, median, speedup) in enumerate(table.rows):
            ax.annotate(f"{median:.3g} s", (speedup, y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=7)
    for ax in list(axes.flat)[len(tables):]:
        ax.set_visible(False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, metadata={"Software": None})  # no version stamp: the same tables, the same file
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", default="docs/performance.md", help="Markdown file, or - for stdin")
    parser.add_argument("--out", type=Path, default=Path("docs/img/benchmarks.png"), help="the PNG to write")
    parser.add_argument("--only", default=None, help="plot only tables whose title contains one of these words "
                        "(comma-separated)")
    options = parser.parse_args(argv)
    text = sys.stdin.read() if options.source == "-" else Path(options.source).read_text(encoding="utf-8")
    tables = parse(text)
    if options.only:
        words = options.only.split(",")
        tables = [t for t in tables if any(word in t.title for word in words)]
    if not tables:
        print(f"no benchmark tables in {options.source}", file=sys.stderr)
        return 1
    plot(tables, options.out)
    print(f"wrote {options.out} ({len(tables)} tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
