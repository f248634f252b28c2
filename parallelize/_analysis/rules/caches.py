"""PAR902: a module-level cache filled on first use inside each worker (advisory, off by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect

_PER_WORKER = "each process worker fills its own copy once, and the caller's stays as it was"


@rule(
    "PAR902",
    "per-worker-cache",
    kinds={"per-worker-cache"},
    summary="(advisory) a global filled on first use under `if NAME is None:` in a task: one cache per worker",
    template="`{stmt}` fills the module-level cache {bound} inside {where}: {consequence}; {fix}",
    fix_loop="load it once before the loop, or pass `init=` to load it once per worker",
    fix_task="fine if each worker may build its own; otherwise pass `init=` and read `parallelize.worker_state()`",
    default=False,
    process_consequence=_PER_WORKER,
    thread_consequence="threads that both see `None` each build it; the last one wins",
)
def per_worker_cache(effect: Effect, mode: str) -> bool:
    """## What it does
    With `--strict` (or `--select PAR902`), reports a task that rebinds a `global` only under an
    `if NAME is None:` (or `if not NAME:`) guard: the lazily loaded model, connection or lookup table.

    ## Why is this bad?
    It usually is not: the cache is deliberate, and it is not a lost write (PAR204 does not report it). But
    *under processes* every worker builds its own copy, once, and the caller never gets one; *under threads*
    two threads can both see `None` and build it twice. The rule says so, so that the cost is a choice.

    ## Example
    ```python
    _model = None

    def predict(x):
        global _model
        if _model is None:
            _model = load_model()
        return _model(x)
    ```

    ## Use instead
    ```python
    @parallel_for(init=load_model)
    def predict(x):
        return parallelize.worker_state()(x)
    ```

    ## Known problems
    Only a guard on the global itself (`is None`, `not NAME`) is recognised; `if "k" not in CACHE:` followed by
    `CACHE["k"] = ...` is still a write into an outer dict (PAR101).
    """
    return mode != "asyncio"
