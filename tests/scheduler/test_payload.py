"""Large arrays reach workers through one shared read-only file per call; the files go away afterwards."""

from __future__ import annotations

import glob
import os
import pickle
import tempfile

import numpy as np
import pytest
import tasks

from parallelize import parallel_for
from parallelize._scheduler import arrays, payload


def _leftover_dirs() -> set[str]:
    roots = {"/dev/shm", tempfile.gettempdir()}
    return {d for root in roots for d in glob.glob(os.path.join(root, "parallelize-*"))}


def test_large_array_argument_gives_the_serial_result_and_files_are_removed() -> None:
    before = _leftover_dirs()
    arr = np.random.default_rng(0).random(300_000)  # 2.4 MB: over the sharing threshold
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.array_sum)
    assert f.map(range(7), arr) == [tasks.array_sum(i, arr) for i in range(7)]
    assert _leftover_dirs() == before


def test_large_array_is_written_once_per_call() -> None:
    store = arrays.ArrayStore()
    arr = np.zeros(200_000)
    try:
        a = payload.dumps((arr, [arr, {"x": arr}]), store)
        b = payload.dumps(arr, store)
        assert len(os.listdir(store.directory())) == 1
        assert len(a) < 10_000 and len(b) < 10_000  # only the path travels
        loaded = __import__("pickle").loads(b)
        assert isinstance(loaded, np.memmap) or loaded.base is not None
        assert not loaded.flags.writeable
        np.testing.assert_array_equal(loaded, arr)
    finally:
        store.close()
    assert not os.path.exists(store._dir or "/nonexistent")


def test_small_arrays_are_pickled_inline() -> None:
    store = arrays.ArrayStore()
    payload.dumps(np.zeros(10), store)
    assert not store.used
    store.close()


def test_writing_into_a_shared_array_says_it_is_read_only_and_what_to_do() -> None:
    arr = np.zeros(200_000)
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.write_into)
    with pytest.raises(ValueError, match="read-only") as info:
        f.map(range(3), arr)
    assert any("return the result" in n for n in info.value.__notes__)
    assert (arr == 0).all()


def test_files_are_removed_when_a_task_fails() -> None:
    before = _leftover_dirs()
    arr = np.zeros(200_000)
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.write_into)
    with pytest.raises(ValueError):
        f.map(range(3), arr)
    assert _leftover_dirs() == before


def test_broadcast_spec_is_decoded_once_per_worker() -> None:
    spec = payload.CallSpec(fn=tasks.add, args=(1,))
    data = payload.dumps(spec)
    shared = payload.share_spec(data, tempfile.gettempdir)
    first = payload.load_spec(shared)
    assert payload.load_spec(shared) is first


def test_for_remote_workers_large_arrays_travel_beside_the_pickle_and_load_read_only() -> None:
    big, small = np.arange(300_000, dtype=np.float64), np.arange(10.0)
    spec = payload.CallSpec(fn=tasks.array_sum, args=(big, small))
    buffers: list[pickle.PickleBuffer] = []
    data = payload.pickle_spec(spec, None, buffers)
    assert len(buffers) == 1 and buffers[0].raw().nbytes == big.nbytes  # the small array stays in-band
    assert len(data) < 10_000
    loaded = payload.load_spec(payload.share_spec(data, None, buffers))
    np.testing.assert_array_equal(loaded.args[0], big)
    np.testing.assert_array_equal(loaded.args[1], small)
    assert not loaded.args[0].flags.writeable


def test_a_worker_unmaps_the_shared_arrays_once_idle_with_one_thread_for_it() -> None:
    import threading
    import time

    from parallelize._backends import resolve_backend
    from parallelize._scheduler.execution import IDLE_RELEASE_SECONDS, run_batch

    arr = np.random.default_rng(1).random(300_000)  # shared through a file, memory-mapped where decoded
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.array_sum)
    store = arrays.ArrayStore()
    try:
        spec = f._spec(resolve_backend(None, n_jobs=2, io=False, max_concurrency=None), (arr,), {})
        shared = payload.share_spec(payload.pickle_spec(spec, store), store.directory)
        for i in range(50):  # run here as a worker would: encoded items in, encoded results out
            items = payload.pickle_items([i], i, store, spec.fn)
            _seconds, values, failures = pickle.loads(run_batch(shared, i, items, True))
            assert values == [tasks.array_sum(i, arr)] and not failures
        assert shared.token in payload._array_specs  # still mapped: batches keep coming
        assert [t.name for t in threading.enumerate()].count("parallelize-idle-release") == 1
        deadline = time.monotonic() + IDLE_RELEASE_SECONDS + 5
        while shared.token in payload._array_specs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert shared.token not in payload._array_specs  # released once idle
    finally:
        store.close()
