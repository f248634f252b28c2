"""PAR2xx: control flow a parallel loop cannot have (``break``, ``return``, ``yield``, ``global``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import always, rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect

SEQUENTIAL = "or, if the loop must run in order, use loop=False and parallelize calls with `.map`"


@rule(
    "PAR201",
    "break-in-parallel-loop",
    kinds={"break"},
    summary="`break` in a parallel loop: later iterations may already have run",
    template="`break` at this line stops the loop early, but in {where} later iterations run at the same time; "
    "{fix}",
    fix_loop="filter the items before the loop (or collect everything and pick after it), " + SEQUENTIAL,
)
def break_in_parallel_loop(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports `break` directly in the body of a parallel loop (not in a loop nested inside it).

    ## Why is this bad?
    Iterations run at the same time, so there is no "later iteration" to skip.
    *Under processes* and *under threads* the work after the break point has already been done or is
    running, and its side effects and collected values would differ from the serial loop.

    ## Example
    ```python
    for model in candidates:
        score = evaluate(model)
        if score > 0.99:
            break
    ```

    ## Use instead
    ```python
    scores = []
    for model in candidates:
        scores.append(evaluate(model))
    best = next((m for m, s in zip(candidates, scores) if s > 0.99), None)
    ```

    ## Known problems
    None known: the rule is exact.
    """
    return always(effect, mode)


@rule(
    "PAR202",
    "return-in-parallel-loop",
    kinds={"return"},
    summary="`return` in a parallel loop body",
    template="`return` inside {where} ends the whole function from one iteration; {fix}",
    fix_loop="collect the values and return after the loop, " + SEQUENTIAL,
)
def return_in_parallel_loop(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports `return` in the body of a parallel loop.

    ## Why is this bad?
    Each iteration runs as its own task; a `return` in one of them cannot end the caller's function, and the
    other iterations have already started *under processes* and *under threads*.

    ## Example
    ```python
    for path in paths:
        if is_corrupt(path):
            return path
    ```

    ## Use instead
    ```python
    flags = []
    for path in paths:
        flags.append(is_corrupt(path))
    return next((p for p, bad in zip(paths, flags) if bad), None)
    ```

    ## Known problems
    None known: the rule is exact.
    """
    return always(effect, mode)


@rule(
    "PAR203",
    "yield-in-parallel-loop",
    kinds={"yield"},
    summary="`yield`, `yield from` or `await` in a parallel loop body",
    template="`{stmt}` inside {where} suspends the caller between iterations; {fix}",
    fix_loop="collect the values in the loop and yield them after it, " + SEQUENTIAL,
)
def yield_in_parallel_loop(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports `yield`, `yield from` and `await` in the body of a parallel loop.

    ## Why is this bad?
    A generator hands control back to its consumer between iterations; tasks on other processes or threads
    cannot. *Under processes* the generator frame cannot even be pickled; *under threads* it would be resumed
    concurrently.

    ## Example
    ```python
    def features(rows):
        for row in rows:
            yield expensive(row)
    ```

    ## Use instead
    ```python
    @parallel_for(loop=False)
    def feature(row):
        return expensive(row)

    yield from feature.imap(rows)
    ```

    ## Known problems
    None known: the rule is exact.
    """
    return always(effect, mode)


@rule(
    "PAR204",
    "global-statement",
    kinds={"global-statement", "global-write"},
    summary="`global`/`nonlocal` declaration or write in a parallel loop or task",
    template="`{stmt}` rebinds {bound} inside {where}: {consequence}; {fix}",
    fix_loop="use a local accumulator bound before the loop (`total = 0` ... `total += x`) and assign the "
    "global once after it",
    fix_task="return the value from the task and update the global once in the parent",
)
def global_statement(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a `global` or `nonlocal` statement inside a parallel loop body, and writes to names declared
    `global`/`nonlocal` inside a parallel loop or task function.

    ## Why is this bad?
    *Under processes* the worker rebinds its own module's global; the caller's module never changes.
    *Under threads* `counter += 1` on a global is a read-modify-write that loses updates.

    ## Example
    ```python
    processed = 0

    def handle(item):
        global processed
        processed += 1
    ```

    ## Use instead
    ```python
    def handle(item):
        return 1

    processed = sum(pool.map(handle, items))
    ```

    Under threads, a write made while a lock is held (`with lock:`, or between `lock.acquire()` and
    `lock.release()`, `try`/`finally` included) is not reported: the threads share the global and the lock
    orders their updates. Under processes it is always reported.

    ## Known problems
    A lock is recognised by its constructor (`threading.Lock`/`RLock`/`Condition`/`Semaphore`) or by a name
    containing `lock`.
    """
    return not (mode in {"threads", "asyncio"} and effect.locked)


@rule(
    "PAR205",
    "ambiguous-parallel-loop",
    kinds={"several-loops"},
    summary="`@parallel_for` on a function with several top-level loops and no `loop=`",
    template="`{stmt}` has {name} top-level loops, so {where} does not know which to parallelize; {fix}",
    fix_loop="pass loop=N to pick the N-th loop (counting from 1), or loop=False for map mode only",
)
def ambiguous_parallel_loop(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a function decorated with `@parallel_for` or `@io_bound` (without `loop=`) whose body has more than
    one top-level `for` loop.

    ## Why is this bad?
    Loop mode parallelizes exactly one loop. Guessing could parallelize a loop that must run in order, which
    would be wrong *under processes* and *under threads* alike.

    ## Example
    ```python
    @parallel_for
    def pipeline(paths):
        for p in paths:
            check(p)
        for p in paths:
            load(p)
    ```

    ## Use instead
    ```python
    @parallel_for(loop=2)
    def pipeline(paths):
        ...
    ```

    ## Known problems
    None known.
    """
    return always(effect, mode)
