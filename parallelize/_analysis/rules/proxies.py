"""PAR402: a race on an object that really is shared (a manager proxy), under processes and threads alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect

_RACE = "two workers can read the same old value and one update is lost (a race, not a lost copy)"


@rule(
    "PAR402",
    "race-on-shared-proxy",
    kinds={"proxy-race"},
    summary="`d[k] += 1` on a `multiprocessing.Manager()` proxy without a lock: a read and a write, not atomic",
    template="`{stmt}` updates the shared proxy {bound} inside {where} in two steps: {consequence}; {fix}",
    fix_loop="return the increments and add them up in the parent, or hold a `manager.Lock()` around the update",
    fix_task="return the increments and add them up in the parent, or hold a `manager.Lock()` around the update",
    process_consequence=_RACE,
    thread_consequence=_RACE,
)
def race_on_shared_proxy(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports an augmented assignment (`d[k] += 1`, `ns.total += x`) on a `multiprocessing.Manager()` proxy
    (`manager.dict()`, `manager.list()`, `manager.Namespace()`) in a parallel task, outside `with lock:`.

    ## Why is this bad?
    A proxy really is shared, so the write is not lost the way a write to a process worker's own copy is
    (PAR101 does not report it). But `d[k] += 1` is two messages to the manager: read `d[k]`, then store the
    sum. Two workers can read the same old value and one of the increments disappears, *under processes and
    under threads* alike.

    ## Example
    ```python
    counts = Manager().dict()

    def tally(word):
        counts[word] += 1

    pool.map(tally, words)
    ```

    ## Use instead
    ```python
    def tally(word):
        return word

    counts = collections.Counter(pool.map(tally, words))
    ```
    or hold a lock shared through the manager: `with lock: counts[word] += 1`.

    ## Known problems
    Only proxies built in the checked code from a manager (`Manager().dict()`, `mgr.list()`, a name that says
    `manager`) are known, read from the module or handed to the task as an argument at every site that hands it
    over (`Process(target=f, args=(proxy,))`); a proxy received from another module is not. `d[k] = f(d[k])`
    spelled out as a plain assignment is not reported.
    """
    return not effect.locked
