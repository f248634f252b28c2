"""PAR5xx: stale snapshots, the caller changes what tasks read after they were submitted, built or started.

The facts come from :mod:`parallelize._analysis.stale`, which reads the caller's function or module body in order.
Each effect carries its own ``consequence`` (how the backend copied the object), so the rules only render it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect


def _not_threads(effect: Effect, mode: str) -> bool:
    return mode == "processes"


@rule(
    "PAR501",
    "global-rebound-after-submit",
    kinds={"global-rebound-after-submit"},
    summary="a module global that a process or ray task reads is rebound after the task was submitted",
    template="`{stmt}` rebinds `{name}`, which the task submitted at line {line} reads, before its results are "
             "used: {consequence}; {fix}",
    fix_loop="pass the new value to the task as an argument, or rebind it before submitting",
    fix_task="pass the new value to the task as an argument, or rebind it before submitting",
    process_consequence="the workers keep the old value",
)
def global_rebound_after_submit(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports, in the code that submits work, a module-level name rebound (`THRESHOLD = 0.5` at module level, or
    after `global THRESHOLD` in a function) after a task that reads it was handed to a process executor or pool
    (`submit`, `map`, `apply_async`, `map_async`, `imap`...) or to ray (`f.remote(...)`), and before the results
    are used (`.result()`, `.get()`, `ray.get`, `wait`, `as_completed`, the end of the executor's `with` block,
    or any later read of the futures).

    ## Why is this bad?
    *Under processes* each worker reads its own copy of the module (made when it was forked or imported): it
    never sees the caller's rebinding, so the tasks run with the old value while the code reads as if they used
    the new one. Ray copies a remote function's globals when it ships the function, with the same result.
    *Under threads* the task reads the caller's global and sees the new value or the old one depending on timing:
    that is a race, not a stale copy, and this rule does not report it.

    ## Example
    ```python
    THRESHOLD = 0.1

    def score(x):
        return x > THRESHOLD

    with ProcessPoolExecutor() as ex:
        futures = [ex.submit(score, x) for x in xs]
        THRESHOLD = 0.5
        flags = [f.result() for f in futures]
    ```

    ## Use instead
    ```python
    def score(x, threshold):
        return x > threshold

    with ProcessPoolExecutor() as ex:
        futures = [ex.submit(score, x, 0.5) for x in xs]
        flags = [f.result() for f in futures]
    ```

    ## Known problems
    Only a task function defined in the same module (or, for a ray actor, the methods of a module-level class
    created with `Actor.remote()`) is read for the globals it uses, and only the order within
    one function or module body counts: a submission inside an `if` or `try` is one step, and a rebinding in
    another function is not seen. A wait on *any* future between the submission and the rebinding ends the
    window (even when other tasks are still running), so it errs towards silence. `dask.delayed` tasks are not
    concerned: under its default threaded scheduler a task reads the global when it runs.
    """
    return _not_threads(effect, mode)


@rule(
    "PAR502",
    "captured-object-mutated-after-submit",
    kinds={"mutated-after-submit"},
    summary="an object handed to process, ray or dask.delayed tasks is changed in place before their results are "
            "used",
    template="`{stmt}` changes `{name}` in place after it {what} (line {line}), before the results are used: "
             "{consequence}; {fix}",
    fix_loop="finish the change before submitting, or give each task its own copy (`dict(cfg)`, `cfg.copy()`)",
    fix_task="finish the change before submitting, or give each task its own copy (`dict(cfg)`, `cfg.copy()`)",
    process_consequence="the tasks do not see the change reliably",
)
def captured_object_mutated_after_submit(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports, in the code that submits work, an in-place change (`cfg["x"] = 1`, `cfg.lr = 0.1`,
    `rows.append(r)`, `del d[k]`, a `for d["k"] in ...` target) of an object that tasks read, made after they were
    submitted and before their results are used:

    - an argument of `ProcessPoolExecutor.submit`/`map` or of `Pool.apply_async`/`map_async`/`starmap_async`/
      `imap`/`imap_unordered` (directly, in the `args` tuple, or through `functools.partial`), or of ray's
      `f.remote(...)`;
    - a module global that the task function reads (process pools and ray);
    - inside the loop that builds the tasks: an argument of a process-pool submission, or an argument or lambda
      closure of a `dask.delayed` task, changed by a later iteration.

    ## Why is this bad?
    *Under processes* the arguments of a submission are pickled by the executor's feeder thread some time after
    `submit()` returns, so a task sees the caller's change or not depending on timing; a module global is the
    worker's own copy and never sees it. Ray serialises the arguments at the call, so its task keeps the old
    value. A `dask.delayed` task reads its arguments when the graph runs, so tasks built in earlier iterations of
    a loop all see the last iteration's value. *Under threads* the task shares the object with the caller: the
    same order is a race, not a stale copy, and this rule does not report it.

    ## Example
    ```python
    cfg = {"lr": 0.01}
    futures = [ex.submit(train, fold, cfg) for fold in folds]   # ex = ProcessPoolExecutor()
    cfg["lr"] = 0.1
    scores = [f.result() for f in futures]

    tasks = []
    for params["depth"] in (2, 4, 8):
        tasks.append(dask.delayed(fit)(X, y, params))
    dask.compute(*tasks)                                        # every task sees depth 8
    ```

    ## Use instead
    ```python
    cfg = {"lr": 0.1}
    futures = [ex.submit(train, fold, cfg) for fold in folds]
    scores = [f.result() for f in futures]

    tasks = [dask.delayed(fit)(X, y, {**params, "depth": d}) for d in (2, 4, 8)]
    dask.compute(*tasks)
    ```

    ## Known problems
    Objects are followed by name within one function or module body: an alias (`c = cfg; c["x"] = 1`) or a change
    made by a called function is not seen, and the results must be used later in the same body. A wait on any
    future ends the window, and so does rebinding the name (`cfg = dict(cfg)`). The straight-line order is not
    reported for `dask.delayed`, whose tasks see the change when the graph runs (older Dask releases copied a
    plain list or dict argument when the task was built); nor is a ray argument changed inside the loop that
    submits it, since each call takes its own copy. Shared objects (manager proxies, queues, shared memory) are
    never reported.
    """
    return _not_threads(effect, mode)


@rule(
    "PAR503",
    "pool-initargs-changed-after-start",
    kinds={"initargs-changed"},
    summary="an object in a `multiprocessing.Pool`'s `initargs`, or a global its initializer reads, is changed "
            "after the pool started",
    template="`{stmt}` changes `{name}` after the pool at line {line} {what}, before the pool is used: "
             "{consequence}; {fix}",
    fix_loop="finish building it before creating the pool, or pass it to each task as an argument",
    fix_task="finish building it before creating the pool, or pass it to each task as an argument",
    process_consequence="the workers keep the copy they started with",
)
def pool_initargs_changed_after_start(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a change to an object named in `multiprocessing.Pool(initializer=..., initargs=(...))` (in place:
    `table.append(row)`, `table[k] = v`), or to a module global the initializer reads (in place, or rebound at
    module level or after `global`), made after the `Pool(...)` call (or its `with` statement) and before a later
    use of the pool (`pool.map`, `pool.apply_async`...).

    ## Why is this bad?
    *Under processes* `multiprocessing.Pool` starts its workers in the constructor, and the initializer runs in
    each of them on the copy of `initargs` (and of the module) taken then: what the caller adds afterwards never
    reaches the workers, so the tasks run with the table as it was. *Under threads* (`ThreadPool`) the
    initializer's objects are the caller's own: a later change is seen, and this rule does not report it.

    ## Example
    ```python
    table = load_table()
    pool = Pool(initializer=init, initargs=(table,))
    table.append(extra_row)
    results = pool.map(lookup, keys)
    ```

    ## Use instead
    ```python
    table = load_table()
    table.append(extra_row)
    pool = Pool(initializer=init, initargs=(table,))
    results = pool.map(lookup, keys)
    ```

    ## Known problems
    Only `multiprocessing.Pool` (through its imports and aliases) is concerned: `ProcessPoolExecutor` starts
    its workers at the first `submit`, so a change before it is seen (a change after it is PAR502's). Names are
    followed within one body, the initializer only when it is a function of the same module, and a pool that
    replaces its workers (`maxtasksperchild`) gives the new ones a fresh copy under the `fork` start method.
    """
    return _not_threads(effect, mode)
