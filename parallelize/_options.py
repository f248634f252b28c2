"""Frozen option records shared by the decorators, and their validation.

Every check names the option, the value it got and what is allowed, and runs at decoration or ``config()`` time,
never halfway through a run.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

OnError = Literal["raise", "collect"]

#: Backends a ``backend=`` string may name.
BACKEND_NAMES = ("serial", "threads", "loky", "dask", "ipyparallel")

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*$")
_RATE_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0,
               "hour": 3600.0}


@dataclass(frozen=True)
class Options:
    """Options of ``parallel_for`` and ``io_bound``; ``None`` means "not set here, resolve from config"."""

    n_jobs: int | None = None
    batch_size: int | Literal["auto"] = "auto"
    progress: bool = False
    timeout: float | None = None
    on_error: OnError = "raise"
    seed: int | None = None
    init: Callable[[], Any] | None = None
    backend: Any = None
    loop: int | bool | None = None
    #: Lost writes: True raises SharedStateError at decoration and checks tasks live; None: from config().
    strict: bool | None = None
    # io_bound only
    max_concurrency: int | None = None
    rate: float | None = None
    retries: int = 0
    retry_on: tuple[type[BaseException], ...] = field(default=(OSError, TimeoutError))
    io: bool = False

    def with_changes(self, **changes: Any) -> Options:
        """Return a copy with ``changes`` applied (validated again)."""
        return validate(replace(self, **changes))


def parse_rate(rate: str | float | int | None) -> float | None:
    """Turn ``"20/s"``, ``"100/min"`` or a number per second into calls per second."""
    if rate is None:
        return None
    if isinstance(rate, bool):
        raise ValueError(f"rate={rate!r} is not a rate; use a number per second or a string like '20/s' or '100/min'")
    if isinstance(rate, (int, float)):
        if rate <= 0:
            raise ValueError(f"rate={rate!r} must be positive (calls per second)")
        return float(rate)
    if isinstance(rate, str):
        match = _RATE.match(rate)
        if match:
            value = float(match.group(1)) / _RATE_UNITS[match.group(2)]
            if value > 0:
                return value
    raise ValueError(
        f"rate={rate!r} is not understood; use a number per second (e.g. 20) or 'N/s', 'N/min', 'N/h' (e.g. '20/s')"
    )


def check_n_jobs(n_jobs: Any, name: str = "n_jobs") -> int | None:
    """Validate ``n_jobs``: a positive int, -1 (all cores) or None (the default)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"{name}={n_jobs!r} is not allowed; use a positive integer, -1 for all cores, or None")
    return n_jobs


def check_backend(backend: Any) -> Any:
    """Validate a ``backend=`` value: a known name, a backend object, a Dask or ipyparallel Client, or None."""
    if backend is None or not isinstance(backend, str):
        return backend
    if backend not in BACKEND_NAMES:
        raise ValueError(f"backend={backend!r} is unknown; use one of {', '.join(map(repr, BACKEND_NAMES))}")
    return backend


def validate(options: Options) -> Options:
    """Check every field of ``options`` and return it, or raise ``ValueError`` naming the bad one."""
    check_n_jobs(options.n_jobs)
    bs = options.batch_size
    if bs != "auto" and (isinstance(bs, bool) or not isinstance(bs, int) or bs < 1):
        raise ValueError(f"batch_size={bs!r} is not allowed; use a positive integer or 'auto'")
    if options.timeout is not None and (
        isinstance(options.timeout, bool) or not isinstance(options.timeout, (int, float)) or options.timeout <= 0
    ):
        raise ValueError(f"timeout={options.timeout!r} is not allowed; use a positive number of seconds or None")
    if options.on_error not in ("raise", "collect"):
        raise ValueError(f"on_error={options.on_error!r} is not allowed; use 'raise' or 'collect'")
    if options.seed is not None and (isinstance(options.seed, bool) or not isinstance(options.seed, int)
                                     or options.seed < 0):
        raise ValueError(f"seed={options.seed!r} is not allowed; use a non-negative integer or None")
    if options.init is not None and not callable(options.init):
        raise ValueError(f"init={options.init!r} is not callable; pass a function that takes no arguments")
    check_backend(options.backend)
    if options.loop is not None and not isinstance(options.loop, bool) and (
        not isinstance(options.loop, int) or options.loop < 1
    ):
        raise ValueError(f"loop={options.loop!r} is not allowed; use False, True, or N >= 1 for the N-th loop")
    if options.strict is not None and not isinstance(options.strict, bool):
        raise ValueError(f"strict={options.strict!r} is not allowed; use True, False or None (from config())")
    mc = options.max_concurrency
    if mc is not None and (isinstance(mc, bool) or not isinstance(mc, int) or mc < 1):
        raise ValueError(f"max_concurrency={mc!r} is not allowed; use a positive integer")
    if isinstance(options.retries, bool) or not isinstance(options.retries, int) or options.retries < 0:
        raise ValueError(f"retries={options.retries!r} is not allowed; use a non-negative integer")
    retry_on = check_retry_on(options.retry_on)
    return options if retry_on == options.retry_on else replace(options, retry_on=retry_on)


def _is_exception_class(value: Any) -> bool:
    return inspect.isclass(value) and issubclass(value, BaseException)


def check_retry_on(retry_on: Any) -> tuple[type[BaseException], ...]:
    """Accept what ``except`` accepts: an exception class, or a tuple (or list) of them; return a tuple."""
    if _is_exception_class(retry_on):
        return (retry_on,)
    if isinstance(retry_on, (tuple, list)):
        for value in retry_on:
            if not _is_exception_class(value):
                raise ValueError(f"retry_on={retry_on!r} is not allowed: {value!r} is not an exception class; use "
                                 "an exception class or a tuple of them, e.g. retry_on=(OSError, TimeoutError)")
        return tuple(retry_on)
    raise ValueError(f"retry_on={retry_on!r} is not allowed; use an exception class or a tuple of them, e.g. "
                     "retry_on=ConnectionError or retry_on=(OSError, TimeoutError)")
