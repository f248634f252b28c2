"""``parallelize demo``: the seed workload, serially and with ``@parallel_for``, then the optional later steps.

Steps, in order:

0. **Workers.** The worker processes start and import scikit-learn once, timed and reported on their own: every
   later call (in a script, a notebook, this demo) reuses them, so the table times warm calls.
1. **Grid search.** An SVC over ``C in {1, 10, 100, 1000} x kernel in {linear, rbf}`` with repeated stratified
   cross-validation on scikit-learn's bundled digits data. Serially this is ``GridSearchCV(n_jobs=1)``; in
   parallel it is one ``@parallel_for`` task per (candidate, fold). Every fold's score must be equal, bit for bit.
2. **Monte Carlo.** An estimate of pi from seeded per-task streams (:func:`parallelize.rng`), run with
   ``backend="serial"`` and then on process workers; the hit counts must be equal.
3. **Checker** (``parallelize._checker.run_demo_step``) on ``examples/legacy``, **loop mode** on the legacy
   walkthrough script (one added ``@parallel_for``, timed against the undecorated function), a **refused plotting
   loop** and its restructured version (compute in the loop, draw after it; the figures compared), and **GPU**
   (``parallelize._gpu.demo_step``), each skipped with a note when this build does not have it.

The exit code is 0 when every parallel result equals its serial one, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parallelize import config, parallel_for, rng

#: Candidate grid of the seed workload.
C_VALUES = (1, 10, 100, 1000)
KERNELS = ("linear", "rbf")


@dataclass(frozen=True)
class Workload:
    """Sizes of one demo run: the full one (about 10 s serially on 2 cores) or ``--quick`` (about 1 s)."""

    n_samples: int | None
    n_splits: int
    n_repeats: int
    mc_tasks: int
    mc_points: int


FULL = Workload(n_samples=None, n_splits=5, n_repeats=3, mc_tasks=32, mc_points=4_000_000)
QUICK = Workload(n_samples=600, n_splits=3, n_repeats=1, mc_tasks=8, mc_points=500_000)


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    name: str
    serial_s: float
    parallel_s: float
    equal: bool


# -- the tasks (module level, so workers import them by reference) ------------------------------------------------
@parallel_for(loop=False)
def fit_fold(task: tuple[int, str, int], X: Any, y: Any, splits: list[tuple[Any, Any]]) -> float:
    """Fit one SVC candidate on one cross-validation split and return its test accuracy.

    Args:
        task: ``(C, kernel, split index)``.
        X: features.
        y: labels.
        splits: ``(train indices, test indices)`` of every split, broadcast once per worker.

    Returns:
        The accuracy on the split's test part, as ``GridSearchCV`` computes it.
    """
    from sklearn.svm import SVC  # type: ignore[import-untyped,unused-ignore]

    c_value, kernel, split = task
    train, test = splits[split]
    model = SVC(C=c_value, kernel=kernel).fit(X[train], y[train])
    return float(model.score(X[test], y[test]))


@parallel_for(loop=False, batch_size=1)
def start_worker(_: int) -> int:
    """Start a worker and import scikit-learn there: what a first call pays once, and later calls reuse."""
    import sklearn.svm  # type: ignore[import-untyped,unused-ignore]  # noqa: F401

    time.sleep(0.05)  # long enough that every worker gets one
    return os.getpid()


@parallel_for(loop=False, seed=2024)
def count_hits(task: int, n_points: int) -> int:
    """Count random points of the unit square that fall inside the quarter circle, from this task's stream.

    Args:
        task: the task number (the seed stream is chosen by the task's position, not by this value).
        n_points: points to draw.

    Returns:
        How many of the points satisfy ``x*x + y*y <= 1``.
    """
    generator = rng()
    hits = 0
    chunk = 500_000
    for start in range(0, n_points, chunk):
        xy = generator.random((2, min(chunk, n_points - start)))
        hits += int(((xy * xy).sum(axis=0) <= 1.0).sum())
    return hits


# -- steps ---------------------------------------------------------------------------------------------------------
def _tracked(values: Iterable[Any], bar: Any) -> Iterator[Any]:
    for value in values:
        bar.update(1)
        yield value


def _grid_data(work: Workload) -> tuple[Any, Any, list[tuple[Any, Any]], Any]:
    from sklearn.datasets import load_digits  # type: ignore[import-untyped,unused-ignore]
    from sklearn.model_selection import RepeatedStratifiedKFold  # type: ignore[import-untyped,unused-ignore]

    X, y = load_digits(return_X_y=True)
    if work.n_samples is not None:
        X, y = X[: work.n_samples], y[: work.n_samples]
    cv = RepeatedStratifiedKFold(n_splits=work.n_splits, n_repeats=work.n_repeats, random_state=0)
    return X, y, list(cv.split(X, y)), cv


def grid_search(work: Workload, bar: Any) -> Row:
    """Run the SVC grid search with scikit-learn serially, then fold by fold with ``@parallel_for``."""
    from sklearn.model_selection import GridSearchCV  # type: ignore[import-untyped,unused-ignore]
    from sklearn.svm import SVC  # type: ignore[import-untyped,unused-ignore]

    X, y, splits, cv = _grid_data(work)
    grid = {"C": list(C_VALUES), "kernel": list(KERNELS)}

    class _Counting(SVC):  # type: ignore[misc]
        # Moves the progress bar once per fit in the serial run.
        def fit(self, *args: Any, **kwargs: Any) -> Any:
            fitted = super().fit(*args, **kwargs)
            bar.update(1)
            return fitted

    started = time.perf_counter()
    search = GridSearchCV(_Counting(), grid, cv=cv, n_jobs=1, refit=False).fit(X, y)
    serial_s = time.perf_counter() - started
    results = search.cv_results_
    serial = [[float(results[f"split{k}_test_score"][i]) for k in range(len(splits))]
              for i in range(len(results["params"]))]

    candidates = [(p["C"], p["kernel"]) for p in results["params"]]
    tasks = [(c, kernel, k) for c, kernel in candidates for k in range(len(splits))]
    started = time.perf_counter()
    scores = list(_tracked(fit_fold.imap(tasks, X, y, splits), bar))
    parallel_s = time.perf_counter() - started
    parallel = [scores[i * len(splits):(i + 1) * len(splits)] for i in range(len(candidates))]
    return Row(f"grid search ({len(tasks)} SVC fits)", serial_s, parallel_s, parallel == serial)


def monte_carlo(work: Workload, bar: Any) -> tuple[Row, float]:
    """Estimate pi serially and on workers from the same seeded per-task streams; return the row and pi."""
    tasks = range(work.mc_tasks)
    started = time.perf_counter()
    with config(backend="serial"):
        serial = list(_tracked(count_hits.imap(tasks, work.mc_points), bar))
    serial_s = time.perf_counter() - started
    started = time.perf_counter()
    parallel = list(_tracked(count_hits.imap(tasks, work.mc_points), bar))
    parallel_s = time.perf_counter() - started
    estimate = 4.0 * sum(parallel) / (work.mc_tasks * work.mc_points)
    points = work.mc_tasks * work.mc_points
    return Row(f"Monte Carlo pi ({points / 1e6:g}M points)", serial_s, parallel_s, parallel == serial), estimate


def format_table(rows: Sequence[Row]) -> str:
    """Render the rows and their total as a fixed-width table."""
    header = f"{'workload':<32} {'serial':>9} {'parallel':>9} {'speed-up':>9}  results"
    lines = [header, "-" * len(header)]
    total = Row("total", sum(r.serial_s for r in rows), sum(r.parallel_s for r in rows), all(r.equal for r in rows))
    for row in [*rows, total]:
        speedup = row.serial_s / row.parallel_s if row.parallel_s > 0 else float("inf")
        verdict = "equal" if row.equal else "DIFFERENT"
        lines.append(f"{row.name:<32} {row.serial_s:>8.2f}s {row.parallel_s:>8.2f}s {speedup:>8.2f}x  {verdict}")
    return "\n".join(lines)


def _optional_step(title: str, step: Callable[[], str]) -> None:
    print(f"\n== {title} ==")
    try:
        text = step()
    except (ImportError, AttributeError):
        print("(step not available in this build)")
        return
    print(text.rstrip("\n"))


def _legacy_examples() -> Path:
    return Path(__file__).resolve().parent.parent / "examples" / "legacy"


def _checker_step() -> str:
    from parallelize import _checker

    return str(_checker.run_demo_step(_legacy_examples()))


def _load_legacy(name: str) -> Any:
    """Import ``examples/legacy/<name>.py`` under a private name, its code sent to workers by value."""
    import importlib.util

    import cloudpickle

    path = _legacy_examples() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"parallelize_demo_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    cloudpickle.register_pickle_by_value(module)  # workers cannot import it by name: send its code along
    return module


def _loop_mode_step(settings: int = 64) -> str:
    """The walkthrough's one-line change: decorate the legacy loop, compare with the undecorated function."""
    import numpy as np

    from parallelize import parallel_for

    module = _load_legacy("walkthrough_before")
    path = Path(module.__file__)
    # 64 settings: about 3 s serially on this project's 2-core machine, enough to gain from the workers.
    alphas = [float(a) for a in np.logspace(-3, 4, settings)]
    started = time.perf_counter()
    serial = module.score_all(alphas, module.X, module.y)
    serial_s = time.perf_counter() - started
    parallel = parallel_for(module.score_all)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        result = parallel(alphas, module.X, module.y)
        times.append(time.perf_counter() - started)
    verdict = "equal" if result == serial else "DIFFERENT"
    return (f"score_all() from {path.name}, {len(alphas)} ridge models x 5 folds, one added line: @parallel_for\n"
            f"serial {serial_s:.2f}s; decorated {times[0]:.2f}s (first call, workers start), "
            f"{times[1]:.2f}s (second call): {serial_s / times[1]:.2f}x; results {verdict}\n"
            f"(the audit above says why this loop is safe; examples/legacy/walkthrough.md has the whole story)")


def _plotting_step(degrees: int = 12) -> str:
    """A loop that draws while it computes is refused; restructured (compute in the loop, draw after), it runs on
    the workers and draws the serial figure."""
    import matplotlib

    matplotlib.use("Agg")  # no window: the figures are compared, not shown
    import matplotlib.pyplot as plt

    from parallelize import SharedStateError, parallel_for

    module = _load_legacy("validation_curves")
    try:
        parallel_for(module.draw_curves)
        refusal = "NOT REFUSED"
    except SharedStateError as exc:
        # The finding's line: where, the code, and the fix (the path shortened to the file's name).
        lines = str(exc).splitlines()
        refusal = lines[1].strip().replace(str(_legacy_examples()) + os.sep, "") if len(lines) > 1 else lines[0]
    settings = list(range(1, degrees + 1))

    def drawn(fig: Any) -> list[list[float]]:
        return [list(line.get_ydata()) for ax in fig.axes for line in ax.get_lines()]

    serial_fig = plt.figure()
    started = time.perf_counter()
    module.draw_curves(settings, module.x, module.y)
    serial_s = time.perf_counter() - started
    parallel = parallel_for(module.curve_scores)
    parallel(settings[:2], module.x, module.y)  # the function's first call ships it to the workers
    parallel_fig = plt.figure()
    started = time.perf_counter()
    module.draw(parallel(settings, module.x, module.y))
    parallel_s = time.perf_counter() - started
    verdict = "equal" if drawn(parallel_fig) == drawn(serial_fig) and drawn(serial_fig) else "DIFFERENT"
    plt.close("all")
    return (f"@parallel_for on draw_curves() from validation_curves.py (fits and plots in one loop) is refused:\n"
            f"  {refusal}\n"
            f"restructured: the loop computes {len(settings)} validation curves (curve_scores), draw() plots them "
            f"after it\nserial draw_curves {serial_s:.2f}s; decorated curve_scores + draw {parallel_s:.2f}s: "
            f"{serial_s / parallel_s:.2f}x; figure data {verdict}")


def _gpu_step() -> str:
    from parallelize import _gpu

    return str(_gpu.demo_step())


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="parallelize demo",
        description="Run the seed workload serially and with @parallel_for, check the results match, then the "
                    "checker and GPU steps.")
    parser.add_argument("--quick", action="store_true", help="a workload of about a second, for tests")
    parser.add_argument("--no-extras", action="store_true", help="skip the checker and GPU steps")
    return parser.parse_args(list(argv))


def run(argv: Sequence[str]) -> int:
    """Run the demo and print its table.

    Args:
        argv: command-line arguments after ``demo`` (``--quick``, ``--no-extras``).

    Returns:
        0 when every parallel result equals the serial one, 1 otherwise.
    """
    from loky import cpu_count
    from tqdm import tqdm

    options = _parse(argv)
    work = QUICK if options.quick else FULL
    _, _, splits, _ = _grid_data(work)
    n_fits = len(C_VALUES) * len(KERNELS) * len(splits)
    print(f"parallelize demo: {cpu_count()} usable cores; each workload runs serially, then with @parallel_for")
    started = time.perf_counter()
    workers = len(set(start_worker.map(range(2 * cpu_count()))))
    print(f"started {workers} worker processes and imported scikit-learn in them: "
          f"{time.perf_counter() - started:.2f}s, once; every call below reuses them")
    with tqdm(total=2 * n_fits + 2 * work.mc_tasks, desc="demo", unit="task", leave=False) as bar:
        grid_row = grid_search(work, bar)
        mc_row, estimate = monte_carlo(work, bar)
    rows = [grid_row, mc_row]
    print(format_table(rows))
    print(f"(pi ~ {estimate:.5f})")
    ok = all(r.equal for r in rows)
    if not ok:
        print("parallel results differ from the serial ones")
    if not options.no_extras:
        _optional_step("checker: examples/legacy", _checker_step)
        _optional_step("loop mode: examples/legacy/walkthrough_before.py",
                       functools.partial(_loop_mode_step, 8 if options.quick else 64))
        _optional_step("loop mode refuses a plotting loop: examples/legacy/validation_curves.py",
                       functools.partial(_plotting_step, 3 if options.quick else 12))
        _optional_step("GPU", _gpu_step)
    return 0 if ok else 1
