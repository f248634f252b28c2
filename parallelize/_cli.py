"""The ``parallelize`` command: ``check``, ``demo`` and ``info``. Wiring only; the work lives elsewhere.

Exit codes follow ruff's contract: 0 success (no findings), 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: parallelize <command> [options]

commands:
  check [PATH ...]   find loops and task functions that mutate shared state (parallelize check --help)
  demo               run the seed workload serially and in parallel, then check a legacy example
  info [--gpu] [--compile-for sm_80,sm_90]
                     cores, backends, BLAS libraries, GPU and cluster status; compile check for GPU architectures
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "check":
        from parallelize._checker.cli import run as run_check

        return int(run_check(rest))
    if command == "demo":
        from parallelize._demo import run as run_demo

        return int(run_demo(rest))
    if command == "info":
        from parallelize._info import run as run_info  # type: ignore[import-not-found,unused-ignore]

        return int(run_info(rest))
    print(f"parallelize: unknown command {command!r}\n{USAGE}", end="", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
