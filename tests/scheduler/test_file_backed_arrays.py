"""A read-only memory map of a file reaches local workers as that file, not as a copy (``_scheduler/arrays.py``)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import tasks

from parallelize import parallel_for
from parallelize._scheduler import arrays, payload


@pytest.fixture
def on_disk(tmp_path: Path) -> tuple[Path, np.ndarray]:
    data = np.random.default_rng(3).random((400, 1000))  # 3.2 MB: over the sharing threshold
    path = tmp_path / "data.npy"
    np.save(path, data)
    return path, data


def _sent(obj: object) -> tuple[object, arrays.ArrayStore, int]:
    store = arrays.ArrayStore()
    data = payload.dumps(obj, store)
    return pickle.loads(data), store, len(data)


def test_a_read_only_map_travels_as_its_file_and_writes_nothing(on_disk: tuple[Path, np.ndarray]) -> None:
    path, data = on_disk
    mapped = np.load(path, mmap_mode="r")
    arrived, store, size = _sent(mapped)
    try:
        assert not store.used  # no copy written
        assert size < 2_000  # the path, dtype, shape and offset only
        assert isinstance(arrived, np.memmap) and Path(arrived.filename) == path.resolve()
        assert not arrived.flags.writeable
        np.testing.assert_array_equal(arrived, data)
    finally:
        store.close()


def test_a_fortran_ordered_map_keeps_its_layout(tmp_path: Path) -> None:
    data = np.asfortranarray(np.arange(300_000, dtype=np.float64).reshape(600, 500))
    path = tmp_path / "f.npy"
    np.save(path, data)
    arrived, store, _ = _sent(np.load(path, mmap_mode="r"))
    try:
        assert not store.used
        assert isinstance(arrived, np.ndarray) and arrived.flags.f_contiguous
        np.testing.assert_array_equal(arrived, data)
    finally:
        store.close()


@pytest.mark.parametrize("mode", ["r+", "c"])
def test_a_map_the_caller_can_change_is_copied_as_it_was(on_disk: tuple[Path, np.ndarray], mode: str) -> None:
    # Writable or copy-on-write: the caller may change it while tasks run, so they get a snapshot, as for any array.
    path, data = on_disk
    mapped = np.load(path, mmap_mode=mode)
    arrived, store, _ = _sent(mapped)
    try:
        assert store.used
        mapped[0, 0] = -1.0  # after the hand-over: the snapshot keeps the old value
        assert isinstance(arrived, np.ndarray)
        assert arrived[0, 0] == data[0, 0]
    finally:
        store.close()


def test_a_slice_of_a_map_is_copied(on_disk: tuple[Path, np.ndarray]) -> None:
    path, data = on_disk
    part = np.load(path, mmap_mode="r")[100:]
    arrived, store, _ = _sent(part)
    try:
        assert store.used
        assert isinstance(arrived, np.ndarray)
        np.testing.assert_array_equal(arrived, data[100:])
    finally:
        store.close()


def test_tasks_on_workers_read_the_same_values_as_serially(on_disk: tuple[Path, np.ndarray]) -> None:
    path, _data = on_disk
    mapped = np.load(path, mmap_mode="r")
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.array_sum)
    assert f.map(range(6), mapped) == [tasks.array_sum(i, mapped) for i in range(6)]
