"""Arguments or items that cannot be pickled raise SerializationError naming which one."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import tasks

from parallelize import SerializationError, parallel_for


def test_unpicklable_broadcast_argument_is_named() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.add)
    with pytest.raises(SerializationError, match="'y'") as info:
        f.map(range(4), threading.Lock())
    assert "pickle" in str(info.value)
    assert isinstance(info.value, TypeError)


def test_unpicklable_keyword_argument_is_named() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.add)
    with pytest.raises(SerializationError, match="'z'"):
        f.map(range(4), 1, z=threading.Lock())


def test_unpicklable_item_is_named_by_index() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(tasks.square)
    with pytest.raises(SerializationError, match="item 2"):
        f.map([1, 2, threading.Lock(), 4])


def test_unpicklable_return_value_is_a_clear_error() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(lambda x: threading.Lock() if x == 1 else x)
    with pytest.raises(SerializationError, match="cannot be pickled back"):
        f.map(range(3))


def test_threads_need_no_pickling() -> None:
    lock = threading.Lock()
    f = parallel_for(backend="threads", n_jobs=2)(lambda x, lk: x if lk is lock else None)
    assert f.map(range(3), lock) == [0, 1, 2]


def _first_lines(i: int, fh: Any) -> str:
    return fh.readline()


@pytest.mark.parametrize("mode", ["r", "rb", "w", "a", "r+", "wb"])
def test_an_open_file_argument_is_refused_naming_it_and_saying_to_pass_the_path(tmp_path: Path, mode: str) -> None:
    # cloudpickle would send a text file open for reading as a snapshot of its contents: tasks would all read
    # the same lines, unlike the serial loop sharing one file position. Every mode is refused the same way.
    path = tmp_path / "data.txt"
    path.write_text("line1\nline2\nline3\n")
    f = parallel_for(n_jobs=2, batch_size=1)(_first_lines)
    with open(path, mode) as fh:
        with pytest.raises(SerializationError, match="argument 'fh'") as info:
            f.map(range(2), fh)
        with pytest.raises(SerializationError, match="argument 'fh'"):
            f.map(range(2), fh=fh)
    message = str(info.value)
    assert "open file" in message and "data.txt" in message and "pass its path" in message


def test_an_open_file_item_or_submitted_argument_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("x\n")
    with open(path) as fh:
        with pytest.raises(SerializationError, match=r"item 1 .*pass its path"):
            parallel_for(n_jobs=2, batch_size=1)(tasks.square).map([1, fh])
        with pytest.raises(SerializationError, match=r"argument 'fh' .*pass its path"):
            parallel_for(n_jobs=2)(_first_lines).submit(0, fh).result(timeout=60)


def test_open_files_still_work_where_nothing_is_pickled(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("line1\nline2\nline3\n")
    with open(path) as fh:
        fh.readline()
        serial = [_first_lines(i, fh) for i in range(2)]
    for backend in ("serial", "threads"):
        f = parallel_for(backend=backend, n_jobs=1, batch_size=1)(_first_lines)
        with open(path) as fh:
            fh.readline()
            assert f.map(range(2), fh) == serial


def _buffer_value(i: int, buf: Any) -> Any:
    return buf.getvalue()[i]


def test_in_memory_buffers_travel_as_values() -> None:
    f = parallel_for(n_jobs=2, batch_size=1)(_buffer_value)
    for buf in (io.BytesIO(b"abc"), io.StringIO("abc")):
        assert f.map(range(3), buf) == [_buffer_value(i, buf) for i in range(3)]


class ReopensWhereUnpickled(io.RawIOBase):
    """Like fsspec's file objects: a file class that pickles itself as its path, to be opened again."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReopensWhereUnpickled, (self.path,))

    def readable(self) -> bool:
        return True

    def text(self) -> str:
        return Path(self.path).read_text()


def _text_of(i: int, fh: ReopensWhereUnpickled) -> str:
    return fh.text()[i]


def _is_stdout(i: int, stream: Any) -> bool:
    return stream is sys.stdout


def test_file_classes_that_pickle_themselves_and_the_standard_streams_are_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.txt"
    path.write_text("abc")
    fh = ReopensWhereUnpickled(str(path))
    assert parallel_for(n_jobs=2, batch_size=1)(_text_of).map(range(3), fh) == [_text_of(i, fh) for i in range(3)]
    with capsys.disabled():  # the real sys.stdout: it reaches a worker as that worker's own sys.stdout
        assert parallel_for(n_jobs=2, batch_size=1)(_is_stdout).map(range(2), sys.stdout) == [True, True]
