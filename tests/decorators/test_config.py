"""Which setting wins: PARALLELIZE_BACKEND=serial, then the decorator, innermost config, global config, env."""

from __future__ import annotations

import threading

import pytest
import tasks

from parallelize import config, parallel_for
from parallelize._backends import resolve_backend


def _name(choice: object = None, n_jobs: int | None = 2) -> str:
    return resolve_backend(choice, n_jobs=n_jobs, io=False, max_concurrency=None).name


def test_default_is_loky() -> None:
    assert _name() == "loky"


def test_n_jobs_one_runs_serially() -> None:
    assert _name(n_jobs=1) == "serial"


def test_env_serial_beats_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_BACKEND", "serial")
    with config(backend="threads"):
        assert _name("loky") == "serial"
    pids = parallel_for(n_jobs=2, batch_size=1)(tasks.pid).map(range(4))
    import os

    assert set(pids) == {os.getpid()}


def test_decorator_beats_config_and_inner_config_beats_outer() -> None:
    config(backend="threads")
    assert _name() == "threads"
    with config(backend="serial"):
        assert _name() == "serial"
        with config(backend="loky"):
            assert _name() == "loky"
        assert _name("threads") == "threads"
    assert _name() == "threads"


def test_context_manager_does_not_leak_into_the_global_setting() -> None:
    with config(backend="serial"):
        pass
    assert _name() == "loky"


def test_scoped_config_is_per_thread_but_global_config_is_shared() -> None:
    seen = {}
    config(backend="threads")
    with config(backend="serial"):
        t = threading.Thread(target=lambda: seen.setdefault("name", _name()))  # noqa: PAR102 - one thread, joined before the read
        t.start()
        t.join()
    assert seen["name"] == "threads"


def test_env_defaults_apply_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_BACKEND", "threads")
    monkeypatch.setenv("PARALLELIZE_N_JOBS", "3")
    backend = resolve_backend(None, n_jobs=None, io=False, max_concurrency=None)
    assert (backend.name, backend.n_workers) == ("threads", 3)
    with config(backend="loky"):
        assert _name() == "loky"


def test_io_bound_stays_on_threads_under_config() -> None:
    with config(backend="loky"):
        assert resolve_backend(None, n_jobs=None, io=True, max_concurrency=4).name == "threads"


@pytest.mark.parametrize("kwargs,match", [
    ({"backend": "spark"}, "backend='spark'"), ({"n_jobs": 0}, "n_jobs=0"), ({"n_jobs": -3}, "n_jobs=-3"),
])
def test_bad_config_values_are_named(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        config(**kwargs)  # type: ignore[arg-type]


def test_bad_environment_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_N_JOBS", "many")
    with pytest.raises(ValueError, match="PARALLELIZE_N_JOBS"):
        _name(n_jobs=None)
