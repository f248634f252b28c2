"""Progress bars through tqdm; a no-op object when progress is off."""

from __future__ import annotations

from typing import Any


class _NoProgress:
    def update(self, n: int = 1) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""


def progress_bar(enabled: bool, total: int | None, description: str) -> Any:
    """Return a tqdm bar (when ``enabled``) counting completed tasks, else a silent stand-in."""
    if not enabled:
        return _NoProgress()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="task", dynamic_ncols=True)
