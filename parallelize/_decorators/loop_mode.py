"""Loop mode: where a decorated function's top-level ``for`` loop is rewritten to run in parallel.

Until the loop rewriter lands, every decorated function keeps its plain calls unchanged (map mode only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from parallelize._decorators.wrapper import ParallelFunction
from parallelize._options import Options

P = ParamSpec("P")
R = TypeVar("R")


def attach_loop_mode(function: Callable[P, R], options: Options) -> ParallelFunction[P, R]:
    """Return the wrapper for ``function``; plain calls stay as they are."""
    return ParallelFunction(function, options)

