"""Functions defined in notebook cells, run in a real ipykernel (issue 15): map mode and loop mode on process
workers, progress bars as widgets, tracebacks that name the cell, ``async def`` under the kernel's running event
loop, and cells that redefine a decorated function. One kernel for the module: each test uses names of its own."""

from __future__ import annotations

import sys

import pytest
from notebook_kernel import Kernel

import parallelize

pytestmark = pytest.mark.timeout(120)

IMPORTS = "import asyncio, os, time\nfrom parallelize import config, io_bound, parallel_for"


@pytest.fixture(scope="module")
def nb(kernel: Kernel) -> Kernel:
    [where] = kernel.run(IMPORTS + "\nimport sys, parallelize\nsys.executable, parallelize.__file__")
    assert where.value == (sys.executable, parallelize.__file__)  # this environment's Python and parallelize
    return kernel


def test_map_mode_on_a_cell_function_equals_serial_and_runs_on_worker_processes(nb: Kernel) -> None:
    cell = nb.run('''
@parallel_for(n_jobs=2, loop=False)
def cube_and_pid(x):
    return x ** 3 - 2 * x, os.getpid()

results = cube_and_pid.map(range(12))
serial = [cube_and_pid.__wrapped__(x)[0] for x in range(12)]
[value for value, _ in results], serial, sorted({pid for _, pid in results})
''')[0]
    parallel, serial, pids = cell.value
    assert parallel == serial == [x**3 - 2 * x for x in range(12)]
    assert pids and nb.pid not in pids


def test_loop_mode_on_a_cell_function_equals_serial_and_runs_on_worker_processes(nb: Kernel) -> None:
    # batch_size= sends every iteration to the workers (cheap first iterations would otherwise stay in the caller).
    cell = nb.run('''
@parallel_for(n_jobs=2, batch_size=1)
def score_all(xs):
    scores = {}
    pids = []
    total = 0.0
    for x in xs:
        scores[x] = x * x + 1
        pids.append(os.getpid())
        total += x / 7
    return scores, pids, total

scores, pids, total = score_all(range(10))
serial_scores, _, serial_total = score_all.__wrapped__(range(10))
scores, serial_scores, total, serial_total, sorted(set(pids))
''')[0]
    scores, serial_scores, total, serial_total, pids = cell.value
    assert scores == serial_scores
    assert list(scores) == list(range(10))
    assert total == serial_total  # reductions are replayed in iteration order: bit-identical
    assert pids and nb.pid not in pids


def test_what_a_loop_prints_on_the_workers_appears_in_the_cell_in_iteration_order(nb: Kernel) -> None:
    # Without the replay, a worker's print goes to the kernel's log, not to the cell, in completion order.
    cell = nb.run('''
import time

@parallel_for(n_jobs=2, batch_size=1)
def noisy(xs):
    out = []
    for x in xs:
        time.sleep(0.03 * (x % 3))
        print("iteration", x, os.getpid() != CELL_PID)
        out.append(x)
    return out

CELL_PID = os.getpid()
noisy(range(7))
''')[0]
    cell.raise_error()
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    assert text.splitlines() == [f"iteration {x} True" for x in range(7)]


def test_progress_in_a_notebook_is_a_widget_that_counts_every_task(nb: Kernel) -> None:
    cell = nb.run('''
@parallel_for(n_jobs=2, loop=False, progress=True)
def slow_double(x):
    time.sleep(0.02)
    return 2 * x

slow_double.map(range(8))
''')[0]
    assert cell.value == [2 * x for x in range(8)]
    widget_outputs = [o for o in cell.outputs
                      if o.output_type == "display_data" and "application/vnd.jupyter.widget-view+json" in o.data]
    assert widget_outputs, cell.outputs
    state = nb.last_notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    bars = [model["state"] for model in state.values() if model["model_name"] == "FloatProgressModel"]
    assert [(bar["max"], bar["value"]) for bar in bars] == [(8, 8)]


@pytest.mark.parametrize("mode", ["map", "loop"])
def test_task_exception_traceback_names_the_cell_and_the_line_of_the_raise(nb: Kernel, mode: str) -> None:
    # The raise sits on line 5 of the defining cell in both forms.
    defining = {
        "map": '''@parallel_for(n_jobs=2, loop=False)
def fails_on_three(x):
    if x != 3:
        return x
    raise ValueError(f"bad item {x}")
''',
        "loop": '''@parallel_for(n_jobs=2, batch_size=1)
def loop_fails_on_three(xs):
    out = []
    for x in xs:
        out.append(x if x != 3 else int(f"bad item {x}"))
    return out
''',
    }[mode]
    name = {"map": "fails_on_three", "loop": "loop_fails_on_three"}[mode]
    call = {"map": "fails_on_three.map(range(6))", "loop": "loop_fails_on_three(range(6))"}[mode]
    defined, failed, filename = nb.run(defining, call, f"{name}.__wrapped__.__code__.co_filename")
    defined.raise_error()
    cell_file = filename.value
    assert "ipykernel_" in cell_file  # ipykernel's name for the defining cell's code
    traceback = failed.traceback
    # A loop-mode iteration runs as the generated per-iteration function, under the user's file and line.
    assert f'File "{cell_file}", line 5, in {name if mode == "map" else ""}' in traceback
    assert "ValueError" in traceback and "bad item 3" in traceback
    assert "Cell In[" in traceback  # the caller's side: the cell that called
    assert "parallelize: raised by task 3 (item 3)" in traceback


def test_io_bound_async_map_runs_inside_the_kernels_running_event_loop(nb: Kernel) -> None:
    loop_running, plain_cell, awaiting_cell = nb.run('''
asyncio.get_running_loop().is_running()
''', '''
@io_bound(max_concurrency=4)
async def fetch_twice(x):
    started = time.monotonic()
    await asyncio.sleep(0.2)
    return 2 * x, started, time.monotonic()

fetch_twice.map(range(8))
''', '''
await asyncio.sleep(0)  # top-level await: this cell itself runs as a coroutine on the kernel's loop
[value for value, _, _ in fetch_twice.map(range(5))], (await fetch_twice(21))[0]
''')
    assert loop_running.value is True  # the cells run while the kernel's event loop runs
    results = plain_cell.value
    assert [value for value, _, _ in results] == [2 * x for x in range(8)]
    events = sorted([(start, 1) for _, start, _ in results] + [(end, -1) for _, _, end in results])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    assert peak == 4  # max_concurrency coroutines at once: concurrent, and capped
    assert awaiting_cell.value == ([0, 2, 4, 6, 8], 42)


def test_redefining_a_map_mode_function_in_a_later_cell_runs_the_new_code(nb: Kernel) -> None:
    first, second, rerun = nb.run('''
@parallel_for(n_jobs=2, loop=False)
def transform(x):
    return x + 1

transform.map(range(5))
''', '''
@parallel_for(n_jobs=2, loop=False)
def transform(x):
    return x * 10

transform.map(range(5))
''', '''
@parallel_for(n_jobs=2, loop=False)
def transform(x):
    return x + 1

transform.map(range(5))
''')
    assert first.value == [1, 2, 3, 4, 5]
    assert second.value == [0, 10, 20, 30, 40]
    assert rerun.value == [1, 2, 3, 4, 5]


def test_redefining_a_loop_mode_function_in_a_later_cell_runs_the_new_body(nb: Kernel) -> None:
    first, second = nb.run('''
@parallel_for(n_jobs=2, batch_size=1)
def build(xs):
    out = []
    for x in xs:
        out.append(x + 1)
    return out

build(range(5))
''', '''
@parallel_for(n_jobs=2, batch_size=1)
def build(xs):
    out = []
    for x in xs:
        out.append(x * 10)
    return out

build(range(5))
''')
    assert first.value == [1, 2, 3, 4, 5]
    assert second.value == [0, 10, 20, 30, 40]


def test_rerunning_the_same_cell_reads_the_globals_and_helpers_as_they_are_now(nb: Kernel) -> None:
    # The same source decorated again is found in the decoration cache; what it reads must still be current.
    same_cell = '''
@parallel_for(n_jobs=2, batch_size=1)
def offset_all(xs):
    out = []
    for x in xs:
        out.append(x + OFFSET)
    return out

@parallel_for(n_jobs=2, loop=False)
def via_helper(x):
    return helper(x)

offset_all(range(3)), via_helper.map(range(3))
'''
    cells = nb.run("OFFSET = 1\ndef helper(x):\n    return x + 100", same_cell,
                   "OFFSET = 50\ndef helper(x):\n    return -x", same_cell)
    assert cells[1].value == ([1, 2, 3], [100, 101, 102])
    assert cells[3].value == ([50, 51, 52], [0, -1, -2])


def test_loop_mode_decorates_after_the_kernel_showed_a_traceback(nb: Kernel) -> None:
    # Regression (issue 15): IPython's traceback display links the parser's shared AST nodes to a cell's tree;
    # every loop-mode decoration after the first traceback of a session raised RecursionError.
    failing, decorated = nb.run("{}['missing']", """
@parallel_for(n_jobs=2, batch_size=1)
def after_traceback(xs):
    out = []
    for x in xs:
        out.append(x != 2)
    return out

after_traceback(range(4))
""")
    assert failing.error is not None and failing.error.ename == "KeyError"
    assert decorated.value == [True, True, False, True]
