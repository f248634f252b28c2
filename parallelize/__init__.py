"""parallelize: make data-science loops and functions parallel by adding a decorator.

Layering (data flows one way; nothing lower imports anything higher)::

    decorators (parallel_for, io_bound, gpu_kernel)   build a spec or a rewritten loop
      -> analysis (shared with `parallelize check`)   decides whether a loop is safe
      -> scheduler                                     batching, ordering, errors, seeds, timeouts, budget
      -> backends (serial, threads, loky, dask)        run batches; gpu has its own dispatcher

This module only re-exports the public API. Heavy optional dependencies (numba, Dask) load on first use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from parallelize._config import config as config
from parallelize._decorators.io_bound import io_bound as io_bound
from parallelize._decorators.parallel_for import parallel_for as parallel_for
from parallelize._decorators.wrapper import ParallelFunction as ParallelFunction
from parallelize._errors import (
    BackendUnavailableError as BackendUnavailableError,
)
from parallelize._errors import (
    GPUUnavailableError as GPUUnavailableError,
)
from parallelize._errors import (
    KernelCompileError as KernelCompileError,
)
from parallelize._errors import (
    ParallelizeError as ParallelizeError,
)
from parallelize._errors import (
    ParallelizeWarning as ParallelizeWarning,
)
from parallelize._errors import (
    SerializationError as SerializationError,
)
from parallelize._errors import (
    SharedStateError as SharedStateError,
)
from parallelize._errors import (
    TaskTimeoutError as TaskTimeoutError,
)
from parallelize._errors import (
    WorkerCrashedError as WorkerCrashedError,
)
from parallelize._scheduler.execution import worker_state as worker_state
from parallelize._scheduler.failures import TaskFailures as TaskFailures
from parallelize._scheduler.seeding import rng as rng

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError",
    "DaskBackend",
    "GPUUnavailableError",
    "KernelCompileError",
    "ParallelFunction",
    "ParallelizeError",
    "ParallelizeWarning",
    "SerializationError",
    "SharedStateError",
    "TaskFailures",
    "TaskTimeoutError",
    "WorkerCrashedError",
    "config",
    "gpu_kernel",
    "io_bound",
    "parallel_for",
    "rng",
    "shutdown",
    "worker_state",
]


def shutdown(kill: bool = False) -> None:
    """Release the worker pools parallelize keeps for reuse (they are also released at interpreter exit).

    Args:
        kill: stop running tasks at once instead of waiting for them.
    """
    from parallelize._backends import shutdown_all

    shutdown_all(kill=kill)


def DaskBackend(  # named like the class it builds, which cannot be imported without Dask
    cluster: Any = None, *, retries: int = 0, resources: Mapping[str, float] | None = None,
    timeout: float | None = None,
) -> Any:
    """Create a Dask backend to pass as ``backend=`` (or to ``config(backend=...)``) with Dask task options.

    Args:
        cluster: None (the current ``distributed.Client``, else a local cluster on 127.0.0.1, said once), a
            scheduler address such as ``"tcp://127.0.0.1:8786"``, or a ``distributed.Client``.
        retries: times Dask re-runs a batch whose task raised or whose worker died.
        resources: Dask worker resources each batch needs, e.g. ``{"GPU": 1}``.
        timeout: seconds to wait when connecting to a scheduler address.

    Raises:
        BackendUnavailableError: dask.distributed is not installed (``pip install 'parallelize[dask]'``) or the
            scheduler cannot be reached.
    """
    from parallelize._backends import backend_factory

    factory = backend_factory("dask")  # raises BackendUnavailableError, naming the extra, without Dask
    return factory(cluster, retries=retries, resources=resources, timeout=timeout)


def __getattr__(name: str) -> Any:
    # gpu_kernel is re-exported lazily: importing parallelize must not import numba.
    if name == "gpu_kernel":
        from parallelize._decorators.gpu_kernel import gpu_kernel

        return gpu_kernel
    raise AttributeError(f"module 'parallelize' has no attribute {name!r}")


def _fix_module_names() -> None:
    # Public objects report "parallelize" as their module, as httpx and trio do, so reprs and docs show the
    # public path rather than a private module that may move.
    for name in __all__:
        obj = globals().get(name)
        if obj is not None and getattr(obj, "__module__", "").startswith("parallelize."):
            with contextlib.suppress(AttributeError, TypeError):
                obj.__module__ = __name__


_fix_module_names()
