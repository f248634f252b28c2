"""The fault matrix: every stage of a task's trip x every fault x loky, threads and Dask, in both ``on_error`` modes.

Stages (built in ``fault_objects.py``): 1 the item is pickled in the caller, 2 unpickled in the worker, 3 the task
runs, 4 its result is pickled in the worker, 5 unpickled in the caller. Faults: ``raise``, ``sys.exit(3)``, a
segfault, ``os._exit(3)``, SIGKILL of its own process, ``os.abort()``. Each cell maps 6 items, item 3 faulting, and
checks what the user gets, that the next ``.map`` on the same backend works, and that no process is left behind.

Cells left out, because the fault would kill the test process itself:

- a segfault, ``os._exit``, SIGKILL or abort at stage 1 or 5 on any backend (those stages run in the caller);
- the same four faults at any stage on threads (every stage runs in the caller's process).

Nothing is pickled on threads, so there stages 1, 2, 4 and 5 run no fault: every result comes back. The Dask
cluster allows no rerun of a batch whose worker died (``allowed-failures`` 0, one task per worker at a time), so
a crash costs one worker restart, not four.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import fault_objects
import psutil
import pytest
from fault_objects import FAULTS, KILLS, StageFault

import parallelize
from parallelize import SerializationError, TaskFailures, WorkerCrashedError, parallel_for

pytestmark = pytest.mark.filterwarnings("ignore::parallelize.ParallelizeWarning")  # tiny tasks, on purpose

EXPECTED = [10 * i for i in range(6)]
#: What loky's crash message says for each fault (the exit code or signal of the dead worker).
EXIT_CODES = {"segfault": "SIGSEGV(-11)", "os_exit": "EXIT(3)", "sigkill": "SIGKILL(-9)", "abort": "SIGABRT(-6)"}


def _cells() -> Iterator[Any]:
    for backend in ("loky", "threads", "dask"):
        for stage in (1, 2, 3, 4, 5):
            for fault in FAULTS:
                if fault in KILLS and (stage in (1, 5) or backend == "threads"):
                    continue  # would kill the test process (see the module docstring)
                yield pytest.param(backend, stage, fault, id=f"{backend}-stage{stage}-{fault}")


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    dask_cluster_module = pytest.importorskip("dask_cluster")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.scheduler.worker-saturation": 1.0}):
        cluster = dask_cluster_module.local_cluster()
    client = dask_cluster_module.distributed.Client(cluster, set_as_default=False)
    client.wait_for_workers(2, timeout=60)
    yield cluster, client
    parallelize.shutdown()
    client.close()
    cluster.close()


def _backend(name: str, request: pytest.FixtureRequest) -> Any:
    if name != "dask":
        return None
    cluster = request.getfixturevalue("dask_cluster")
    from distributed.exceptions import WorkerStartTimeoutError

    # Each cell starts on a whole cluster. The nannies restart the workers earlier cells killed; on a loaded
    # machine a nanny may give up instead (Dask's behaviour, not what a cell tests), so the cluster is scaled back.
    for attempt in range(2):
        try:
            cluster[1].wait_for_workers(2, timeout=30 if attempt == 0 else 60)
            return cluster
        except (TimeoutError, WorkerStartTimeoutError):
            if attempt == 0:
                cluster[0].scale(2)
    pytest.fail(f"the Dask cluster has {len(cluster[0].workers)} workers and could not be brought back to 2")


def _function(name: str, cluster: Any, on_error: str = "raise") -> Any:
    backend = cluster[1] if name == "dask" else name
    return parallel_for(backend=backend, n_jobs=2, batch_size=1, on_error=on_error)(fault_objects.task)


def _values(results: list[Any]) -> list[Any]:
    return [r.value if isinstance(r, fault_objects.Result) else r for r in results]


#: Children this test process had before the matrix began (other modules' session clusters, a kernel): not ours.
_BEFORE: set[int] = set()


@pytest.fixture(scope="module", autouse=True)
def _children_before() -> Iterator[None]:
    _BEFORE.update(c.pid for c in psutil.Process().children(recursive=True))
    yield
    _BEFORE.clear()


def _stray_children(cluster: Any) -> list[psutil.Process]:
    """Child processes other than the resource trackers, the Dask cluster's current workers, and those that were
    there before the matrix began."""
    keep = {nanny.pid for nanny in cluster[0].workers.values()} if cluster is not None else set()
    keep |= _BEFORE
    stray = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid in keep or "resource_tracker" in " ".join(child.cmdline()):
                continue
        except psutil.Error:
            continue  # gone meanwhile
        stray.append(child)
    return stray


def _assert_no_orphans(cluster: Any, allowed: int) -> None:
    """Within 5 s at most ``allowed`` stray children remain (the live pool's workers)."""
    deadline = time.monotonic() + 5
    while len(stray := _stray_children(cluster)) > allowed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(stray) <= allowed, f"processes left behind: {stray}"


def _expect(backend: str, stage: int, fault: str) -> str:
    """What the user gets: 'ok', 'own', 'exit', 'pickle', 'unpickle-item', 'pickle-result', 'unpickle-result',
    'crash'."""
    if backend == "threads" and stage != 3:
        return "ok"  # threads never pickle
    if fault in KILLS:
        return "crash"
    if stage == 3:
        return "own" if fault == "raise" else "exit"
    return {1: "pickle", 2: "unpickle-item", 4: "pickle-result", 5: "unpickle-result"}[stage]


def _cause(fault: str, stage: int) -> str:
    return f"StageFault: fault at stage {stage}" if fault == "raise" else "SystemExit: 3"


def _check_error(error: BaseException, expect: str, backend: str, stage: int, fault: str) -> None:
    """One task's error, as the caller sees it."""
    note = "parallelize: raised by task 3 (item Item(3))"
    if expect == "own":
        assert type(error) is StageFault and str(error) == "fault at stage 3"
        assert note in error.__notes__
    elif expect == "exit":
        assert type(error) is SystemExit and error.code == 3
        assert note in error.__notes__
    elif expect == "pickle":
        assert isinstance(error, SerializationError)
        assert str(error).startswith(f"item 3 (Item) cannot be pickled to reach a process worker ({_cause(fault, 1)})")
    elif expect == "unpickle-item":
        assert isinstance(error, SerializationError) and note in error.__notes__
        assert str(error).startswith("task 3's item could not be unpickled in the worker process: the object rebuilt "
                                     f"by _rebuild_item ({_cause(fault, 2)})")
    elif expect == "pickle-result":
        assert isinstance(error, SerializationError) and note in error.__notes__
        assert str(error).startswith(f"task 3 returned a Result that cannot be pickled back to the caller "
                                     f"({_cause(fault, 4)})")
    elif expect == "unpickle-result":
        assert isinstance(error, SerializationError) and note in error.__notes__
        assert str(error).startswith("task 3's result could not be unpickled in the caller: the object rebuilt by "
                                     f"_rebuild_result ({_cause(fault, 5)})")
    else:
        assert isinstance(error, WorkerCrashedError)
        if backend == "loky":
            assert f"a worker process died (exit codes {{{EXIT_CODES[fault]}}})" in str(error)
            assert "Tasks running or queued on the dead pool" in str(error)
        else:
            assert "every worker that ran it died" in str(error)


def _check_collected(group: TaskFailures, expect: str, backend: str, stage: int, fault: str) -> None:
    """``on_error="collect"``: the failures, and every other result, each in its slot."""
    failed = group.failed_indices
    for index, exc in zip(failed, group.exceptions):
        assert group.results[index] is exc
    for index, value in enumerate(_values(group.results)):
        if index not in failed:
            assert value == EXPECTED[index]
    if expect != "crash":
        assert failed == [3]
        _check_error(group.exceptions[0], expect, backend, stage, fault)
        return
    assert 3 in failed
    crashes = group.exceptions
    assert all(isinstance(exc, WorkerCrashedError) for exc in crashes)
    if backend == "loky":
        # README, Failures: a dead local pool fails every task running or queued on it (loky cannot say which
        # worker held which), all with one error naming them; at most 2 batches per worker are in flight.
        assert all(exc.task_indices == failed for exc in crashes)
        assert len(failed) <= 4
    else:
        # Dask fails a batch whose workers all died while it was on them (KilledWorker), each with its own error.
        assert all(exc.task_indices == [index] for index, exc in zip(failed, crashes))
    _check_error(crashes[failed.index(3)], "crash", backend, stage, fault)


@pytest.mark.timeout(180)  # a hang guard: bringing a loaded cluster back may take 90 s
@pytest.mark.parametrize(("backend", "stage", "fault"), list(_cells()))
def test_fault_at_one_stage(backend: str, stage: int, fault: str, request: pytest.FixtureRequest) -> None:
    cluster = _backend(backend, request)
    expect = _expect(backend, stage, fault)
    items = fault_objects.items(stage, fault)

    # on_error="collect": the other results are kept (or the call stops, for an exit or a caller-side pickle).
    collecting = _function(backend, cluster, "collect")
    if expect == "ok":
        assert _values(collecting.map(items)) == EXPECTED
    elif expect in ("exit", "pickle"):
        with pytest.raises(BaseException) as stopped:
            collecting.map(items)
        _check_error(stopped.value, expect, backend, stage, fault)
    else:
        with pytest.raises(TaskFailures) as collected:
            collecting.map(items)
        _check_collected(collected.value, expect, backend, stage, fault)

    # on_error="raise": the first failure, as its own error.
    raising = _function(backend, cluster)
    if expect == "ok":
        assert _values(raising.map(items)) == EXPECTED
    else:
        with pytest.raises(BaseException) as raised:
            raising.map(items)
        error = raised.value
        if expect == "crash":
            assert isinstance(error, WorkerCrashedError)
            _check_error(error, "crash", backend, stage, fault)
            # The first crash to come back: on Dask that is one batch (item 3's, or one queued beside it on the
            # dying worker); on loky every task the dead pool held.
            assert len(error.task_indices) == 1 if backend == "dask" else 3 in error.task_indices
        else:
            _check_error(error, expect, backend, stage, fault)

    # The backend recovers: the next map on it works, and no worker of a dead pool is left.
    assert _values(raising.map(fault_objects.items(0, "raise"))) == EXPECTED
    _assert_no_orphans(cluster, allowed=2)  # the live loky pool's workers (the matrix's loky cells reuse it)


def test_nothing_is_left_after_shutdown(request: pytest.FixtureRequest) -> None:
    # Runs after the matrix: once parallelize.shutdown() returns, only the Dask cluster's own workers remain.
    cluster = _backend("dask", request)
    parallelize.shutdown()
    _assert_no_orphans(cluster, allowed=0)


def test_the_matrix_has_every_meaningful_cell() -> None:
    # loky and Dask: raise and exit at 5 stages, the 4 process deaths at stages 2-4; threads: raise and exit.
    assert len(list(_cells())) == 22 + 10 + 22
