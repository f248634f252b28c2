"""``io_bound`` limits: a rate limiter shared by all threads of a call, and retries with exponential backoff.

The limiter is a token bucket guarded by one lock; each attempt of each item takes a token, so limits count
items, not batches. On process workers (only when a user moves ``io_bound`` there) each worker gets an equal
share of the rate, since a lock cannot be shared across processes cheaply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parallelize._compat import add_note

#: First retry waits this long; each further retry doubles it, up to ``MAX_BACKOFF``.
BASE_BACKOFF = 0.05
MAX_BACKOFF = 5.0


class RateLimiter:
    """Allow at most ``rate`` acquisitions per second, with bursts of at most ``burst``."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[Any, ...]:
        return (RateLimiter, (self.rate, self.burst))

    def acquire(self) -> None:
        """Block until a token is available, then take it."""
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                wait = (1.0 - self._tokens) / self.rate
            time.sleep(wait)


@dataclass
class Limits:
    """Per-item limits of an ``io_bound`` call."""

    limiter: RateLimiter | None
    retries: int
    retry_on: tuple[type[BaseException], ...]

    def for_workers(self, n_workers: int) -> Limits:
        """The limits each of ``n_workers`` process workers applies on its own."""
        if self.limiter is None or n_workers <= 1:
            return self
        return Limits(RateLimiter(self.limiter.rate / n_workers, self.limiter.burst), self.retries, self.retry_on)


def backoff_delay(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based)."""
    return float(min(MAX_BACKOFF, BASE_BACKOFF * (2 ** (attempt - 1))))


def call_with_limits(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                     limits: Limits | None) -> Any:
    """Call ``fn``, taking a rate token before each attempt and retrying the listed exceptions."""
    if limits is None:
        return fn(*args, **kwargs)
    attempt = 0
    while True:
        if limits.limiter is not None:
            limits.limiter.acquire()
        try:
            return fn(*args, **kwargs)
        except limits.retry_on as exc:
            attempt += 1
            if attempt > limits.retries:
                if limits.retries:
                    add_note(exc, f"parallelize: gave up after {limits.retries} retries")
                raise
            time.sleep(backoff_delay(attempt))
