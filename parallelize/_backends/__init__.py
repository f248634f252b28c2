"""Backend registry: a name (or a ready backend object) becomes a backend instance, reused across calls.

Heavy or optional backends (loky, Dask, ipyparallel) are imported only when first asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from parallelize._backends.base import Backend, Capabilities
from parallelize._errors import BackendUnavailableError

__all__ = ["Backend", "Capabilities", "backend_factory", "get_backend", "resolve_backend", "shutdown_all"]

_lock = threading.Lock()
_cache: dict[tuple[str, int, tuple[tuple[str, str], ...], Any], Backend] = {}


def backend_factory(name: str) -> Callable[..., Backend]:
    """Return the class (or factory) for backend ``name``, importing it lazily."""
    if name == "serial":
        from parallelize._backends.serial import SerialBackend

        return SerialBackend
    if name == "threads":
        from parallelize._backends.threads import ThreadBackend

        return ThreadBackend
    if name == "loky":
        from parallelize._backends.loky import LokyBackend

        return LokyBackend
    if name == "dask":
        try:
            from parallelize._backends.dask import DaskBackend  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise BackendUnavailableError(
                f"backend='dask' needs dask.distributed, which cannot be imported ({exc}); "
                "install it with: pip install 'parallelize[dask]'"
            ) from exc
        return DaskBackend  # type: ignore[no-any-return,unused-ignore]
    if name == "ipyparallel":
        try:
            from parallelize._backends.ipp import IPyParallelBackend
        except ImportError as exc:
            raise BackendUnavailableError(
                f"backend='ipyparallel' needs ipyparallel, which cannot be imported ({exc}); "
                "install it with: pip install 'parallelize[ipyparallel]'"
            ) from exc
        return IPyParallelBackend
    raise ValueError(f"backend={name!r} is unknown; use 'serial', 'threads', 'loky', 'dask' or 'ipyparallel'")


def get_backend(name: str, n_workers: int, worker_env: Mapping[str, str] | None = None,
                extra: Any = None) -> Backend:
    """Return the shared backend for (name, size, environment), creating it on first use.

    Args:
        name: a registered backend name.
        n_workers: worker count.
        worker_env: environment variables for process workers (BLAS caps, nested budget).
        extra: backend-specific settings that make a distinct instance (the Dask address or Client; the
            IPython cluster's Client, or its profile and url_file).
    """
    env_key = tuple(sorted((worker_env or {}).items()))
    key = (name, n_workers, env_key, extra)
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            # Processes are expensive to keep: a loky pool of another size or environment replaces the old one
            # (whose running tasks finish). Thread pools are cheap, so io_bound functions with different
            # max_concurrency keep their own.
            if name == "loky":
                for old_key in [k for k in _cache if k[0] == name]:
                    _cache.pop(old_key).shutdown(wait=False)
            factory = backend_factory(name)
            # Clusters size themselves: only the address, Client or profile (``extra``) tells instances apart.
            if name == "dask":
                backend = factory(extra)
            elif name == "ipyparallel":
                client, profile, url_file = extra
                backend = factory(client, profile=profile, url_file=url_file)
            else:
                backend = factory(n_workers, worker_env)
            _cache[key] = backend
        return backend


def shutdown_all(kill: bool = False) -> None:
    """Release every pool parallelize started (``parallelize.shutdown()``)."""
    with _lock:
        backends = list(_cache.values())
        _cache.clear()
    for backend in backends:
        backend.shutdown(wait=not kill, kill=kill)


def resolve_backend(choice: Any, *, n_jobs: int | None, io: bool, max_concurrency: int | None) -> Backend:
    """Pick the backend for one call from a decorator's ``backend=`` and ``config()``.

    Args:
        choice: the decorator's ``backend=`` (a name, a Backend, a ``distributed.Client``, or None).
        n_jobs: the decorator's ``n_jobs`` (None: from config, then all usable cores).
        io: True for ``io_bound``, which stays on threads unless its own ``backend=`` says otherwise.
        max_concurrency: ``io_bound``'s thread count.
    """
    from parallelize._config import is_forced_serial, resolve_setting
    from parallelize._scheduler import budget

    if is_forced_serial():
        return get_backend("serial", 1)
    if isinstance(choice, Backend) and not isinstance(choice, str):
        return choice
    if io and choice is None:
        name: Any = "threads"
    else:
        name = resolve_setting("backend", choice) or "loky"
    if not isinstance(name, str):  # a Client given to config(backend=...) or the decorator
        if _is_ipyparallel_client(name):
            return get_backend("ipyparallel", 0, None, extra=(name, None, None))
        return get_backend("dask", 0, None, extra=name)
    if name == "ipyparallel":
        return get_backend("ipyparallel", 0, None,
                           extra=(None, resolve_setting("profile"), resolve_setting("url_file")))
    if name == "dask":
        return get_backend("dask", 0, None, extra=resolve_setting("address"))
    if name == "threads":
        count = max_concurrency if io else budget.resolve_n_jobs(resolve_setting("n_jobs", n_jobs))
        return get_backend("threads", max(1, count or 32))
    if name == "serial":
        return get_backend("serial", 1)
    workers = budget.resolve_n_jobs(resolve_setting("n_jobs", n_jobs))
    if workers <= 1:
        return get_backend("serial", 1)
    if name == "loky" and _is_daemon_process():
        # A daemonic process (a Dask worker, by default) may not start child processes: nested calls use threads.
        return get_backend("threads", workers)
    return get_backend(name, workers, budget.worker_env(workers))


def _is_ipyparallel_client(obj: Any) -> bool:
    return any(c.__module__.startswith("ipyparallel") and c.__name__ == "Client" for c in type(obj).__mro__)


def _is_daemon_process() -> bool:
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)
