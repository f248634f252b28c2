"""Map mode does the same thing whatever a task's length (issue 10): where tasks run, what is pickled, what the
caller's objects look like afterwards, which errors come up, and what is said at decoration."""

from __future__ import annotations

import os
import threading
import warnings

import lost_writes as LW
import lost_writes_helpers
import numpy as np
import pytest

from parallelize import ParallelizeWarning, SerializationError, SharedStateError, config, io_bound, parallel_for
from parallelize._scheduler import advice

#: From trivial to 50 ms: before issue 10, trivial tasks ran in the caller and slow ones on workers.
LENGTHS = [0.0, 0.002, 0.05]


def _quiet(fn, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParallelizeWarning)
        return parallel_for(**options)(fn)


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    LW.seen.clear()
    LW.counts.clear()
    LW.grid[:] = 0
    lost_writes_helpers.memory.clear()


@pytest.mark.parametrize("delay", LENGTHS)
@pytest.mark.parametrize("backend", ["loky", "serial"])
def test_callers_list_dict_and_array_at_every_task_length(backend: str, delay: float) -> None:
    decorated = _quiet(LW.append_and_square, n_jobs=2, backend=backend)
    n = 8 if delay else 20
    assert decorated.map(range(n), delay=delay) == [x * x for x in range(n)]
    if backend == "serial":  # the caller runs the tasks: its objects change, exactly as in a plain loop
        assert LW.seen == list(range(n)) and len(LW.counts) == n and LW.grid[:n].tolist() == list(range(n))
    else:  # every task ran on a worker, however short: the caller's objects are untouched, every time
        assert LW.seen == [] and LW.counts == {} and not LW.grid.any()


@pytest.mark.parametrize("delay", LENGTHS)
@pytest.mark.parametrize("method", ["map", "imap", "imap_unordered", "starmap", "submit"])
def test_worker_pids_never_include_the_callers(method: str, delay: float) -> None:
    decorated = _quiet(LW.square_and_pid, n_jobs=2)
    items = list(range(8))
    if method == "map":
        out = decorated.map(items, delay=delay)
    elif method == "imap":
        out = list(decorated.imap(items, delay=delay))
    elif method == "imap_unordered":
        out = sorted(decorated.imap_unordered(items, delay=delay))
    elif method == "starmap":
        out = decorated.starmap([(x, delay) for x in items])
    else:
        out = [decorated.submit(x, delay=delay).result(timeout=60) for x in items]
    assert [value for value, _pid in out] == [x * x for x in items]
    assert os.getpid() not in {pid for _value, pid in out}


@pytest.mark.parametrize("delay", LENGTHS)
def test_an_unpicklable_argument_fails_the_same_at_every_length(delay: float) -> None:
    decorated = _quiet(LW.square_and_pid, n_jobs=2)
    with pytest.raises(SerializationError, match=r"[Ll]ock"):
        decorated.map(range(4), delay=delay, lock=threading.Lock())  # type: ignore[call-arg]


@pytest.mark.parametrize("delay", LENGTHS)
def test_an_unpicklable_item_fails_the_same_at_every_length(delay: float) -> None:
    decorated = _quiet(LW.clean, n_jobs=2)
    with pytest.raises(SerializationError):
        decorated.map([1, 2, threading.Lock()])  # type: ignore[list-item]
    assert decorated.map([1, 2], table={"a": 1}) == [2, 3]


def test_threads_run_every_task_on_a_pool_thread() -> None:
    @io_bound(max_concurrency=4)
    def name(x: int) -> str:
        return threading.current_thread().name

    assert threading.current_thread().name not in set(name.map(range(20)))


# -- decoration ----------------------------------------------------------------------------------------------------
def _line_of(fn, text: str) -> int:
    import inspect

    lines, first = inspect.getsourcelines(fn)
    return first + next(k for k, line in enumerate(lines) if text in line)


def test_decoration_warns_once_per_finding_with_code_and_line() -> None:
    with pytest.warns(ParallelizeWarning) as caught:
        parallel_for(LW.append_and_square)
    found = [(w.filename, w.lineno, str(w.message)) for w in caught if "PAR" in str(w.message)]
    lines = {line for _f, line, _m in found}
    assert _line_of(LW.append_and_square, "seen.append(x)") in lines
    assert _line_of(LW.append_and_square, "grid[x] = x") in lines
    assert all(f.endswith("lost_writes.py") for f, _l, _m in found)
    assert any("PAR102" in m and "`seen`" in m and "each process worker changes its own copy" in m
               for _f, _l, m in found)


def test_decoration_of_io_bound_warns_about_thread_races() -> None:
    with pytest.warns(ParallelizeWarning, match="threads race"):
        io_bound(LW.append_and_square)


def test_noqa_silences_the_decoration_warning(tmp_path, monkeypatch) -> None:
    module = tmp_path / "noqa_tasks.py"
    module.write_text("log = []\n\ndef task(x):\n    log.append(x)  # noqa: PAR102\n    return x\n\n"
                      "def other(x):\n    log.append(x)  # noqa: PAR999\n    return x\n\n"
                      "def text(x):\n    log.append('# " "noqa')\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import noqa_tasks

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parallel_for(noqa_tasks.task)
    with pytest.warns(ParallelizeWarning, match="PAR102"):
        parallel_for(noqa_tasks.other)  # a noqa for another code does not silence it
    with pytest.warns(ParallelizeWarning, match="PAR102"):
        parallel_for(noqa_tasks.text)  # a noqa inside a string is not a comment


@pytest.mark.parametrize("how", ["decorator", "config", "environment"])
def test_strict_turns_the_warning_into_shared_state_error(how: str, monkeypatch) -> None:
    if how == "decorator":
        with pytest.raises(SharedStateError, match="PAR102") as info:
            parallel_for(strict=True)(LW.append_and_square)
    elif how == "config":
        with config(strict=True), pytest.raises(SharedStateError, match="PAR102") as info:
            parallel_for(LW.append_and_square)
    else:
        monkeypatch.setenv("PARALLELIZE_STRICT", "1")
        with pytest.raises(SharedStateError, match="PAR102") as info:
            parallel_for(LW.append_and_square)
    assert {f.code for f in info.value.findings} >= {"PAR102"}


def test_functions_without_readable_source_are_skipped_quietly() -> None:
    namespace: dict[str, object] = {}
    exec("log = []\ndef task(x):\n    log.append(x)\n    return x\n", namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parallel_for(namespace["task"])
        parallel_for(lambda x: LW.seen.append(x))
        parallel_for(len)


def test_a_clean_function_decorates_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parallel_for(strict=True)(LW.clean)


# -- live strict -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn, name", [(LW.append_through_methodcaller, "`seen`"),
                                      (LW.record_through_helper, "`memory`")])
def test_strict_workers_catch_a_change_the_analysis_cannot_see(fn, name) -> None:
    decorated = _quiet(fn, n_jobs=2)
    assert decorated.map(range(4)) == list(range(4))  # not strict: runs, and the writes are lost
    strict = parallel_for(n_jobs=2, strict=True)(fn)
    with pytest.raises(SharedStateError, match=rf"task \d+ changed module-level {name} .*\(a list\); in a worker "
                                               "this change is lost"):
        strict.map(range(4))


def test_strict_workers_catch_a_task_changing_its_item() -> None:
    strict = parallel_for(n_jobs=2, strict=True)(LW.mutate_item)
    with pytest.raises(SharedStateError, match=r"task \d changed its item \(a list\)"):
        strict.map([[1], [2, 3]])
    assert _quiet(LW.mutate_item, n_jobs=2).map([[1], [2, 3]]) == [2, 3]  # not strict: lost, silently


def test_strict_workers_pass_clean_tasks_with_the_serial_result() -> None:
    strict = parallel_for(n_jobs=2, strict=True)(LW.clean)
    items = list(range(30))
    assert strict.map(items, table={"a": 1}) == [LW.clean(x, {"a": 1}) for x in items]


# -- too small to help ---------------------------------------------------------------------------------------------
def test_tiny_tasks_are_said_to_be_too_small_once_per_function(monkeypatch) -> None:
    monkeypatch.setattr(advice, "_advised", set())
    decorated = _quiet(LW.clean, n_jobs=2)
    with pytest.warns(ParallelizeWarning, match=r"clean's 200 tasks took .* each on the workers .* larger "
                                                r"batch_size="):
        assert decorated.map(range(200)) == [LW.clean(x) for x in range(200)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decorated.map(range(200)) == [LW.clean(x) for x in range(200)]


def test_array_stays_the_callers_own() -> None:
    decorated = _quiet(LW.append_and_square, n_jobs=2)
    decorated.map(range(10))
    assert np.array_equal(LW.grid, np.zeros(64))
