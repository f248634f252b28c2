"""PAR4xx: races that exist only between threads (a process has its own copy of this state)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect


@rule(
    "PAR401",
    "process-state-in-thread",
    kinds={"process-state"},
    summary="a thread task changes process-wide state (`os.chdir`, `os.environ`, `sys.path`, global seeds)",
    template="`{stmt}` changes process-wide state (`{name}`) inside {where}: every thread shares it; {fix}",
    fix_loop="set it once before the loop, or pass the value explicitly (paths, `env=`, a seeded "
    "`np.random.default_rng`)",
    fix_task="set it once before starting the threads, or pass the value explicitly (paths, `env=`, a seeded "
    "`np.random.default_rng`)",
)
def process_state_in_thread(effect: Effect, mode: str) -> bool:
    """## What it does
    In thread tasks (`@io_bound`, `threading.Thread(target=...)`, `ThreadPoolExecutor`), reports changes to
    state that belongs to the whole process: `os.chdir`, `os.environ[...] = ...`, `os.putenv`, `sys.path`
    edits, `random.seed`/`np.random.seed`, `warnings.simplefilter`, `locale.setlocale`, `signal.signal`.

    ## Why is this bad?
    *Under threads* every thread sees every other thread's change: one task's `os.chdir` moves the others'
    relative paths, and seeding the global generator makes results depend on timing. *Under processes* each
    worker has its own copy of this state, so the rule does not apply there.

    ## Example
    ```python
    @io_bound
    def download(job):
        os.chdir(job.folder)
        fetch(job.url, "data.csv")
    ```

    ## Use instead
    ```python
    @io_bound
    def download(job):
        fetch(job.url, os.path.join(job.folder, "data.csv"))
    ```

    ## Known problems
    Only the calls and objects listed above are known; C libraries that keep global state are not.
    """
    return mode == "threads"
