"""PAR3xx: loop-carried dependencies (an iteration reads what an earlier one wrote)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import always, rule
from parallelize._analysis.rules.control import SEQUENTIAL

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect


@rule(
    "PAR301",
    "loop-carried-name",
    kinds={"carried-read"},
    summary="a name is read before this iteration binds it, so it holds the previous iteration's value",
    template="{bound} is read before this iteration binds it, so it holds the previous iteration's value; "
    "{fix}",
    fix_loop="compute it from the item (e.g. `j = 2 * i + 1`, `prev = items[i - 1]`), " + SEQUENTIAL,
)
def loop_carried_name(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a read, in a parallel loop body, of a name that the body also binds, at a point where this
    iteration has not bound it yet: running values (`prev = x`), secondary induction variables (`j = j * 2`),
    state machines.

    ## Why is this bad?
    In parallel there is no previous iteration: *under processes* the worker sees the value from before the
    loop (or none), *under threads* whatever another iteration wrote last. Either way the result differs
    from the serial loop.

    ## Example
    ```python
    prev = None
    for x in series:
        if prev is not None:
            deltas.append(x - prev)
        prev = x
    ```

    ## Use instead
    ```python
    for prev, x in zip(series, series[1:]):
        deltas.append(x - prev)
    ```

    ## Known problems
    A name bound inside a nested loop of the body counts as bound after that loop even when the nested loop
    may run zero times (the reverse would report too many ordinary loops).
    """
    return always(effect, mode)


@rule(
    "PAR302",
    "accumulator-read-in-loop",
    kinds={"accumulator-read"},
    summary="a collected or reduced accumulator is read inside the loop (running totals, `seen` sets)",
    template="{bound} is read inside the loop that also collects into it, so each iteration depends on the "
    "earlier ones; {fix}",
    fix_loop="read it only after the loop (e.g. de-duplicate with `set()` or `dict.fromkeys` afterwards), "
    + SEQUENTIAL,
)
def accumulator_read_in_loop(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a read, inside a parallel loop body (or its iterable), of a name that the body collects into
    (`append`, `add`, `acc[k] = v`, ...) or reduces (`acc += v`): `if x not in seen: seen.add(x)`,
    `running.append(total + x)`, `out[i] = out[i - 1] + x`, `len(results)`.

    ## Why is this bad?
    Collections and reductions are applied in the parent after the iterations run, so inside an iteration the
    accumulator holds its value from before the loop *under processes*, and a value that depends on timing
    *under threads*.

    ## Example
    ```python
    seen = set()
    for user in events:
        if user not in seen:
            seen.add(user)
            first_visits.append(user)
    ```

    ## Use instead
    ```python
    first_visits = list(dict.fromkeys(events))
    ```

    ## Known problems
    None known: the rule reports every read, even one that happens to be harmless.
    """
    return always(effect, mode)


@rule(
    "PAR303",
    "unsupported-reduction",
    kinds={"unsupported-reduction", "mixed-accumulator"},
    summary="an accumulator updated with an operator that cannot be replayed, or with several kinds of update",
    template="`{stmt}` updates {bound} in a way the parent cannot replay ({what}); {fix}",
    fix_loop="use one of `+= -= *= |= &=`, `max`/`min`, or collect the values and combine them after the loop",
)
def unsupported_reduction(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports an accumulator of a parallel loop that is updated with an operator outside `+ - * | &` and
    `max`/`min` (`acc /= x`, `acc = acc ** x`), with different operators in one loop (`acc += x` and
    `acc *= y`), or both collected and reduced.

    ## Why is this bad?
    The rewriter replays each iteration's contribution in the parent in iteration order; it can only do that
    for one known operator per accumulator. Anything else would compute a different value *under processes*
    and *under threads*.

    ## Example
    ```python
    acc = 1.0
    for x in xs:
        acc /= x
    ```

    ## Use instead
    ```python
    divisors = []
    for x in xs:
        divisors.append(x)
    acc = 1.0
    for d in divisors:
        acc /= d
    ```

    ## Known problems
    None known.
    """
    return always(effect, mode)


@rule(
    "PAR304",
    "accumulator-not-bound-before-loop",
    kinds={"unbound-accumulator"},
    summary="a collection or reduction on a name that is not certainly bound before the loop in the function",
    template="`{stmt}` collects into {bound}, which is not certainly bound before the loop; {fix}",
    fix_loop="bind it unconditionally before the loop in the same function (`acc = []`), or pass it as a "
    "parameter",
)
def accumulator_not_bound_before_loop(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a collector (`acc.append(e)`, `acc[k] = e` ...) or reduction (`acc += e`) in a parallel loop on a
    name that is bound only in some branches before the loop, only after it, or not in the function at all.

    ## Why is this bad?
    The parent applies collected values to the accumulator the loop starts with; when the analysis cannot tell
    which object that is, the rewritten loop could update the wrong one *under processes* and *under threads*.

    ## Example
    ```python
    if keep_history:
        history = []
    for step in steps:
        history.append(run(step))
    ```

    ## Use instead
    ```python
    history = []
    for step in steps:
        history.append(run(step))
    ```

    ## Known problems
    A name bound in every branch of an `if`/`else` counts as bound; one bound in a `try` body that the
    handlers also bind counts too. Names bound by `for` or `while` loops before the loop do not.
    """
    return always(effect, mode)


@rule(
    "PAR305",
    "collected-closure-over-loop-variable",
    kinds={"late-binding-closure"},
    summary="a lambda collected from the loop reads a name the iteration binds (late binding)",
    template="`{stmt}` collects a lambda that reads {bound}, a name each iteration rebinds: serially every "
    "such lambda sees the last iteration's value, in parallel each sees its own; {fix}",
    fix_loop="bind the value as a default argument (`lambda x=x: x`) or collect the value itself",
)
def collected_closure_over_loop_variable(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a lambda, collected from a parallel loop body (`fns.append(lambda: x)`), whose body reads a name
    that the iteration binds: the loop variable or a name assigned in the body.

    ## Why is this bad?
    A Python closure reads its variables when it is called, not when it is made. Serially all the collected
    lambdas share the function's one variable, which ends with the last iteration's value. In parallel each
    iteration runs in its own scope (a copy *under processes*, a separate call *under threads*), so each lambda
    keeps its own iteration's value: the loop would return something other than the serial loop.

    ## Example
    ```python
    fns = []
    for x in xs:
        fns.append(lambda: x * 2)
    ```

    ## Use instead
    ```python
    fns = []
    for x in xs:
        fns.append(lambda x=x: x * 2)
    ```

    ## Known problems
    Only lambdas written inside the collecting statement are seen; a nested `def` collected by name is not.
    """
    return always(effect, mode)
