"""The environment for a test's child Python process: no ``PARALLELIZE_*`` setting leaks in from the caller,
except the kernel and loop cache directory (the session's own, or the one given)."""

from __future__ import annotations

import os
from pathlib import Path


def child_env(cache_dir: Path | str | None = None, **extra: str) -> dict[str, str]:
    """Return ``os.environ`` without ``PARALLELIZE_*`` variables, with ``PARALLELIZE_CACHE_DIR`` set to
    ``cache_dir`` (default: kept as the test session set it), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARALLELIZE_") or k == "PARALLELIZE_CACHE_DIR"}
    if cache_dir is not None:
        env["PARALLELIZE_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env
