"""PAR9xx: advisory rules, off by default (select them, or pass ``--strict``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import copies_or_races, rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect


@rule(
    "PAR901",
    "outer-object-passed-to-unknown-call",
    kinds={"unknown-call-arg"},
    summary="(strict) an outer object is passed to a call the analysis cannot see into",
    template="`{stmt}` passes {bound} to a call the analysis cannot see into inside {where}; if it mutates "
    "it, {consequence}; {fix}",
    fix_loop="pass a copy, or check that the callee does not mutate it and add `# noqa: PAR901`",
    default=False,
)
def outer_object_passed_to_unknown_call(effect: Effect, mode: str) -> bool:
    """## What it does
    With `--strict` (or `--select PAR901`), reports every call in a parallel loop or task that receives an
    object bound outside it, when the callee is neither a known pure builtin nor a function of the same
    module whose body the analysis can read.

    ## Why is this bad?
    If the callee mutates the object, the change is lost *under processes* and races *under threads*. By
    default the checker assumes such calls are pure (`cross_val_score(model, X, y)` is), which is why this
    rule is off by default.

    ## Example
    ```python
    for batch in batches:
        augment(images, batch)     # augment comes from another module
    ```

    ## Use instead
    ```python
    for batch in batches:
        augment(images.copy(), batch)
    ```

    ## Known problems
    Very noisy on real code: most calls that receive an outer object do not mutate it.
    """
    return copies_or_races(effect, mode)
