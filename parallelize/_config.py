"""``config()``: where the backend and the core budget come from when a decorator does not say.

Resolution order, first match wins:

1. ``PARALLELIZE_BACKEND=serial`` in the environment: the debugging switch beats everything.
2. The decorator's own argument.
3. The innermost ``with config(...)`` block (a ContextVar, so threads and asyncio tasks see their own).
4. The global ``config(...)`` (a plain call, not used as a context manager).
5. ``PARALLELIZE_BACKEND`` / ``PARALLELIZE_N_JOBS`` environment defaults.

Environment variables read here:

- ``PARALLELIZE_BACKEND``: ``serial``, ``threads``, ``loky``, ``dask`` or ``ipyparallel``. ``serial`` forces
  everything serial.
- ``PARALLELIZE_N_JOBS``: default worker count for ``parallel_for`` (an integer, or -1 for all cores).
- ``PARALLELIZE_STRICT``: ``1`` makes every decorator strict (lost writes raise ``SharedStateError``).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Mapping
from types import MappingProxyType, TracebackType
from typing import Any

from parallelize._options import check_backend, check_n_jobs

_KEYS = ("backend", "n_jobs", "address", "profile", "url_file", "strict")
_global: dict[str, Any] = {}
_global_lock = threading.Lock()
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_scoped: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("parallelize_config", default=_EMPTY)


class config:  # used like a function, so named like one (as numpy.errstate, decimal.localcontext)
    """Set the default backend and core budget, globally or for a ``with`` block.

    ``config(backend="threads")`` on its own changes the global default; ``with config(backend="serial"): ...``
    changes it only inside the block (and only for the current thread or asyncio task).

    Args:
        backend: ``"serial"``, ``"threads"``, ``"loky"`` (the default), ``"dask"``, ``"ipyparallel"``, or a
            ``distributed.Client`` or ``ipyparallel.Client``.
        n_jobs: total worker budget for ``parallel_for`` (-1 for all usable cores).
        address: a Dask scheduler address such as ``"tcp://127.0.0.1:8786"`` (with ``backend="dask"``).
        profile: the IPython profile of a running cluster (with ``backend="ipyparallel"``).
        url_file: the path of a running IPython cluster's ``ipcontroller-client.json`` (with
            ``backend="ipyparallel"``).
        strict: ``True`` turns the decoration-time warnings about lost writes into ``SharedStateError`` and checks
            every map-mode task on process and Dask workers for changes to module-level state and its inputs.

    Raises:
        ValueError: an unknown backend, a bad ``n_jobs`` or a ``strict`` that is not a bool.
    """

    def __init__(self, *, backend: Any = None, n_jobs: int | None = None, address: str | None = None,
                 profile: str | None = None, url_file: str | None = None, strict: bool | None = None) -> None:
        check_backend(backend)
        check_n_jobs(n_jobs)
        if address is not None and not isinstance(address, str):
            raise ValueError(f"address={address!r} must be a string such as 'tcp://127.0.0.1:8786'")
        for key, value in (("profile", profile), ("url_file", url_file)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key}={value!r} must be a string (an IPython profile name, or the path of "
                                 "ipcontroller-client.json)")
        if strict is not None and not isinstance(strict, bool):
            raise ValueError(f"strict={strict!r} is not allowed; use True or False")
        settings = (("backend", backend), ("n_jobs", n_jobs), ("address", address), ("profile", profile),
                    ("url_file", url_file), ("strict", strict))
        self._changes = {k: v for k, v in settings if v is not None}
        with _global_lock:
            self._previous_global = dict(_global)
            _global.update(self._changes)
        self._token: contextvars.Token[Mapping[str, Any]] | None = None

    def __enter__(self) -> config:
        # Used as a context manager: undo the global change made by __init__ and scope it to this context instead.
        with _global_lock:
            _global.clear()
            _global.update(self._previous_global)
        merged = {**_scoped.get(), **self._changes}
        self._token = _scoped.set(merged)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._token is not None:
            _scoped.reset(self._token)
            self._token = None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._changes.items())
        return f"config({args})"


def reset_config() -> None:
    """Forget every global ``config()`` setting (used by tests)."""
    with _global_lock:
        _global.clear()


def _env_n_jobs() -> int | None:
    raw = os.environ.get("PARALLELIZE_N_JOBS")
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"PARALLELIZE_N_JOBS={raw!r} is not an integer; use a positive integer or -1") from None
    return check_n_jobs(value, "PARALLELIZE_N_JOBS")


def _env_backend() -> str | None:
    raw = os.environ.get("PARALLELIZE_BACKEND")
    if not raw:
        return None
    try:
        return str(check_backend(raw.strip().lower()))
    except ValueError:
        raise ValueError(
            f"PARALLELIZE_BACKEND={raw!r} is unknown; use serial, threads, loky, dask or ipyparallel") from None


def _env_strict() -> bool:
    raw = os.environ.get("PARALLELIZE_STRICT", "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"PARALLELIZE_STRICT={raw!r} is not understood; use 1 or 0")


def is_forced_serial() -> bool:
    """Return True when ``PARALLELIZE_BACKEND=serial`` forces every run to be serial."""
    return _env_backend() == "serial"


def resolve_setting(name: str, explicit: Any = None) -> Any:
    """Resolve one setting (``backend``, ``n_jobs``, ``address``, ``profile``, ``url_file`` or ``strict``) through
    the order above.

    ``PARALLELIZE_STRICT=1`` makes ``strict`` True whatever the code says (a switch for a whole test run).
    """
    if name not in _KEYS:
        raise KeyError(name)
    if name == "backend" and is_forced_serial():
        return "serial"
    if name == "strict" and _env_strict():
        return True
    if explicit is not None:
        return explicit
    scoped = _scoped.get()
    if name in scoped:
        return scoped[name]
    with _global_lock:
        if name in _global:
            return _global[name]
    if name == "backend":
        return _env_backend()
    if name == "n_jobs":
        return _env_n_jobs()
    if name == "strict":
        return False
    return None
