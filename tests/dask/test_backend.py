"""The Dask backend on a real LocalCluster: how it is chosen, and what it guarantees beyond the conformance suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import warnings
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import dask
import dask_tasks
import numpy as np
import pytest
import tasks
from dask_cluster import distributed, local_cluster

import parallelize
from parallelize import BackendUnavailableError, ParallelizeWarning, WorkerCrashedError, config, parallel_for
from parallelize._backends import resolve_backend
from parallelize._backends.dask import DaskBackend, describe_cluster


def serial(fn: Any, items: Any, *args: Any, **options: Any) -> list[Any]:
    return parallel_for(backend="serial", loop=False, **options)(fn).map(items, *args)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- choosing the cluster --------------------------------------------------------------------------------------------
def test_config_backend_dask_uses_the_current_client(cluster: Any) -> None:
    with distributed.Client(cluster.scheduler_address) as current, config(backend="dask"):
        backend = resolve_backend(None, n_jobs=None, io=False, max_concurrency=None)
        assert isinstance(backend, DaskBackend)
        assert backend.client is current
        assert backend.n_workers == 2
        out = parallel_for(batch_size=1)(dask_tasks.where).map(range(8), 0.01)
        assert [x for x, _ in out] == list(range(8))
        assert {pid for _, pid in out} <= set(current.run(os.getpid).values())
        assert "current Client" in describe_cluster()


def test_config_takes_a_client_object(client: Any) -> None:
    with config(backend=client):
        assert parallel_for(tasks.square).map(range(50)) == [x * x for x in range(50)]
    assert parallel_for(backend=client)(tasks.square).map(range(5)) == [0, 1, 4, 9, 16]


def test_config_address_connects_to_a_running_scheduler(cluster: Any) -> None:
    with config(backend="dask", address=cluster.scheduler_address):
        backend = resolve_backend(None, n_jobs=None, io=False, max_concurrency=None)
        assert isinstance(backend, DaskBackend)
        assert backend.client.scheduler.address == cluster.scheduler_address
        assert parallel_for(tasks.add).map(range(20), 1, z=2) == [x + 3 for x in range(20)]
        assert cluster.scheduler_address in describe_cluster()


def test_without_a_client_a_local_cluster_starts_and_says_so_once() -> None:
    assert distributed.client._get_global_client() is None
    try:
        with config(backend="dask"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            backend = resolve_backend(None, n_jobs=None, io=False, max_concurrency=None)
            assert parallel_for(tasks.square).map(range(10)) == [x * x for x in range(10)]
            assert isinstance(backend, DaskBackend)
            assert backend.client.scheduler.address.startswith("tcp://127.0.0.1:")
            backend.shutdown()  # closes the cluster it started; the next call starts another, silently
            assert parallel_for(tasks.square).map(range(3)) == [0, 1, 4]
        notices = [w for w in caught if issubclass(w.category, ParallelizeWarning)]
        assert len(notices) == 1
        assert "LocalCluster on 127.0.0.1" in str(notices[0].message)
    finally:
        parallelize.shutdown()


def test_unreachable_address_raises_backend_unavailable_within_the_connect_timeout() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), config(backend="dask", address=address):
        with pytest.raises(BackendUnavailableError) as info:
            parallel_for(tasks.square).map(range(3))
    assert time.monotonic() - started < 15
    message = str(info.value)
    assert address in message and "dask scheduler" in message and "dask worker" in message


def test_missing_distributed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from parallelize._backends import backend_factory

    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "parallelize._backends.dask")
    with pytest.raises(BackendUnavailableError, match=r"parallelize\[dask\]"):
        backend_factory("dask")


def test_importing_parallelize_does_not_import_dask() -> None:
    code = "import sys, parallelize; print('distributed' in sys.modules or 'dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- guarantees ------------------------------------------------------------------------------------------------------
def test_map_imap_unordered_and_submit_equal_the_serial_run(client: Any) -> None:
    items = list(range(40))
    f = parallel_for(backend=client, batch_size=3)(tasks.slow_square)
    assert f.map(items, 0.001) == serial(tasks.slow_square, items, 0.001)
    assert list(f.imap(iter(items), 0.001)) == serial(tasks.slow_square, items, 0.001)
    assert sorted(f.imap_unordered(items, 0.001)) == sorted(serial(tasks.slow_square, items, 0.001))
    future = parallel_for(backend=client)(tasks.add).submit(1, 2, z=3)
    assert isinstance(future, Future) and future.result(timeout=60) == 6


def test_loop_mode_runs_on_the_cluster(client: Any) -> None:
    def total_of_squares(n: int) -> tuple[list[int], int]:
        acc: list[int] = []
        total = 0
        for i in range(n):
            acc.append(i * i)
            total += i
        return acc, total

    parallel = parallel_for(backend=client)(total_of_squares)
    assert parallel(30) == total_of_squares(30)


def test_loop_mode_output_from_the_workers_comes_out_in_iteration_order(
        client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    caller = os.getpid()

    def noisy(n: int) -> list[int]:
        out: list[int] = []
        for i in range(n):
            time.sleep(0.02 * (i % 3))  # later iterations often finish first, on the workers' threads
            print("iteration", i, os.getpid() != caller)
            out.append(i)
        return out

    capsys.readouterr()
    assert parallel_for(backend=client, batch_size=1)(noisy)(8) == list(range(8))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == [str(i) for i in range(8)]
    assert all(line.endswith("True") for line in lines)  # every iteration ran on a worker process


def test_task_error_keeps_type_remote_traceback_and_note(client: Any) -> None:
    f = parallel_for(backend=client, batch_size=2)(tasks.fail_on)
    with pytest.raises(KeyError) as info:
        f.map(range(10), bad=7)
    assert any("task 7" in note and "item 7" in note for note in info.value.__notes__)
    assert "fail_on" in str(info.value.__cause__)  # the worker's traceback, as on loky


def test_seeded_tasks_equal_the_serial_run_and_keys_are_unique(client: Any) -> None:
    seeded = parallel_for(backend=client, seed=5, batch_size=1)(tasks.random_draws)
    assert seeded.map(range(12)) == serial(tasks.random_draws, range(12), seed=5)
    # Identical unseeded calls are separate tasks (pure=False): never merged into one cached result.
    draws = parallel_for(backend=client, batch_size=1)(dask_tasks.unseeded_draw).map([0] * 12)
    assert len(set(draws)) == 12


def test_progress_bar_counts_every_task(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    f = parallel_for(backend=client, progress=True, batch_size=4)(tasks.square)
    assert f.map(range(40)) == [x * x for x in range(40)]
    assert "40/40" in capsys.readouterr().err


def test_broadcast_argument_is_scattered_once_and_decoded_once_per_worker(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    scatters: list[int] = []
    real_scatter = type(client).scatter

    def counting_scatter(self: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        pickled = getattr(data, "data", None)
        beside = sum(np.asarray(b).nbytes for b in getattr(data, "buffers", ()))
        scatters.append((0 if pickled is None else len(pickled), beside))
        return real_scatter(self, data, *args, **kwargs)

    monkeypatch.setattr(type(client), "scatter", counting_scatter)
    arr = np.arange(2_000_000, dtype=np.float64)  # 16 MB, over the inline and file-sharing thresholds
    out = parallel_for(backend=client, batch_size=1)(dask_tasks.array_identity).map(range(16), arr)
    assert [value for *_, value in out] == [float(i) for i in range(16)]
    assert len(scatters) == 1
    pickled, beside = scatters[0]
    assert beside == arr.nbytes and pickled < 100_000  # the array travels beside the pickle, as a raw frame
    copies = {(pid, ident) for pid, ident, _, _ in out}
    assert len(copies) == len({pid for pid, _ in copies})  # one decoded array per worker process


def test_a_large_broadcast_array_is_read_only_in_dask_workers_and_the_error_says_what_to_do(client: Any) -> None:
    arr = np.zeros(200_000)  # 1.6 MB: out-of-band
    with pytest.raises(ValueError, match="read-only") as info:
        parallel_for(backend=client, batch_size=1)(dask_tasks.write_into).map(range(3), arr)
    assert any("return the result" in note for note in info.value.__notes__)
    assert (arr == 0).all()


def test_in_process_workers_see_the_arguments_as_they_were_at_the_call() -> None:
    arr = np.zeros(500_000)  # 4 MB: out-of-band, and on in-process workers scattered without any copy
    with (distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1) as cluster,
          distributed.Client(cluster, set_as_default=False) as client):
        seen = []
        for _, _, _, value in parallel_for(backend=client, batch_size=1)(dask_tasks.array_identity).imap(
                [0, 0, 0, 0], arr):
            seen.append(value)
            arr[0] = 99.0  # the caller changes its array while the map runs
        parallelize.shutdown()
    assert seen == [0.0, 0.0, 0.0, 0.0]


def test_functions_from_main_travel_by_value(cluster: Any, tmp_path: Path) -> None:
    script = tmp_path / "notebook_like.py"
    script.write_text(textwrap.dedent(f"""
        import distributed
        from parallelize import config, parallel_for

        @parallel_for(loop=False)
        def cube(x):
            return x ** 3

        def shifted(x, by):
            return x + by

        if __name__ == "__main__":
            with distributed.Client({cluster.scheduler_address!r}, set_as_default=False) as client:
                print(parallel_for(backend=client)(shifted).map(range(5), 10))
                with config(backend=client):
                    print(cube.map(range(6)))
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[10, 11, 12, 13, 14]", "[0, 1, 8, 27, 64, 125]"]


def test_worker_that_cannot_import_the_module_says_how_to_fix_it(client: Any, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"only_here_{os.getpid()}_{time.monotonic_ns()}"
    path = tmp_path / f"{name}.py"
    path.write_text("def triple(x):\n    return 3 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__(name)
    f = parallel_for(backend=client, batch_size=2)(module.triple)
    with pytest.raises(ModuleNotFoundError) as info:
        f.map(range(6))
    message = str(info.value)
    assert name in message and "upload_file" in message and "Install it on every worker" in message
    client.upload_file(str(path))  # the fix the message names
    assert f.map(range(6)) == [3 * x for x in range(6)]


def test_retries_and_resources_pass_through_to_dask(cluster: Any, client: Any) -> None:
    flaky = parallel_for(loop=False, batch_size=1, backend=DaskBackend(client, retries=3))(dask_tasks.flaky)
    assert [x for x, _ in flaky.map(range(6))] == list(range(6))
    backend = DaskBackend(client, resources={"GPU": 1})
    assert backend.n_workers == 1  # no worker has the resource: nothing to count
    future = parallel_for(backend=backend)(tasks.square).submit(3)
    time.sleep(0.5)
    assert not future.done()  # waits for a worker with a GPU, as Dask does
    future.cancel()
    with pytest.raises(ValueError, match="retries"):
        DaskBackend(client, retries=-1)


def test_a_batch_that_always_kills_its_worker_raises_worker_crashed_naming_the_task() -> None:
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), local_cluster(n_workers=1) as own:
        with distributed.Client(own, set_as_default=False) as own_client:
            f = parallel_for(backend=own_client, batch_size=1)(dask_tasks.always_exit)
            with pytest.raises(WorkerCrashedError) as info:
                f.map([0])
            assert "task 0" in str(info.value) and "KilledWorker" in str(info.value)
            assert 0 in info.value.task_indices
            parallelize.shutdown()
