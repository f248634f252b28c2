"""Every backend provides the whole :class:`Backend` protocol, so the scheduler calls it without probing."""

from __future__ import annotations

from concurrent.futures import Future

import pytest

from parallelize._backends import backend_factory
from parallelize._backends.base import Backend


@pytest.mark.parametrize("name", ["serial", "threads", "loky"])
def test_local_backends_split_the_cores_evenly_and_stop_tasks_only_by_shutdown(name: str) -> None:
    backend = backend_factory(name)(2, None)
    try:
        assert isinstance(backend, Backend)
        assert backend.task_budget is None  # the scheduler's even split of this machine's cores
        pending: Future[int] = Future()
        assert backend.stop_running([pending]) is None
        assert not pending.cancelled()  # stop_running of a local pool touches nothing: shutdown(kill=True) does
    finally:
        backend.shutdown()
