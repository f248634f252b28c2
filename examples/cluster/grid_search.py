"""The same grid search, run locally and then on a Dask cluster, without changing the experiment code.

Three layers, one core budget: the grid points run in parallel (loky processes here, Dask workers on a cluster);
inside each, scikit-learn's ``n_jobs=-1`` and the BLAS threads use only that task's share of the cores.

    python examples/cluster/grid_search.py                                  # this machine, loky processes
    python examples/cluster/grid_search.py --address tcp://127.0.0.1:8786   # a running `dask scheduler`

See README.md beside this file for starting the scheduler and workers.
"""

from __future__ import annotations

import argparse
import itertools
import time

from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

import parallelize
from parallelize import config, parallel_for


@parallel_for(loop=False, seed=0)
def evaluate(params: tuple[int, int], X: object, y: object) -> tuple[tuple[int, int], float]:
    """Cross-validated accuracy of one grid point; ``n_jobs=-1`` resolves to this task's share of cores."""
    n_estimators, max_depth = params
    model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, n_jobs=-1, random_state=0)
    return params, float(cross_val_score(model, X, y, cv=3).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", help="a Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    args = parser.parse_args()

    X, y = load_digits(return_X_y=True)
    grid = list(itertools.product([20, 50], [4, 8, None]))
    settings = config(backend="dask", address=args.address) if args.address else config(backend="loky")
    started = time.perf_counter()
    with settings:
        # X and y are broadcast: sent to each worker once per call (scattered once on Dask), not once per task.
        scores = evaluate.map(grid, X, y)
    took = time.perf_counter() - started
    where = f"Dask cluster at {args.address}" if args.address else "this machine (loky)"
    for params, score in scores:
        print(f"n_estimators={params[0]:>3} max_depth={params[1]!s:>4}  accuracy={score:.3f}")
    best = max(scores, key=lambda item: item[1])
    print(f"best {best[0]} ({best[1]:.3f}); {len(grid)} grid points in {took:.1f}s on {where}")
    parallelize.shutdown()


if __name__ == "__main__":
    main()
