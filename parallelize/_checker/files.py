"""Find the files to check and read their bytes; nothing is imported or executed."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

from parallelize._checker.settings import DEFAULT_EXCLUDE


def is_excluded(path: Path, root: Path, patterns: list[str]) -> bool:
    """Return whether ``path`` matches a default folder name or a configured pattern (relative to ``root``)."""
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    for raw in patterns:
        pattern = raw.rstrip("/")
        if fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern + "/") or relative == pattern:
            return True
        if fnmatch.fnmatch(path.name, pattern):
            return True
    return False


def discover(paths: list[str], root: Path, exclude: list[str], force_exclude: bool = False) -> Iterator[Path]:
    """Yield the Python files under ``paths`` in a stable order, skipping excluded ones.

    Folders are walked for ``*.py`` files; a file named explicitly is checked whatever its suffix, and, as in
    ruff, even when it matches ``exclude`` unless ``force_exclude`` (what pre-commit, which names every staged
    file, wants).

    Raises:
        FileNotFoundError: A path does not exist.
    """
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(given)
        if path.is_file():
            if not (force_exclude and is_excluded(path, root, exclude)):
                yield path
            continue
        for folder, dirs, names in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if d not in DEFAULT_EXCLUDE and not is_excluded(here / d, root, exclude)
            )
            for name in sorted(names):
                if name.endswith(".py") and not is_excluded(here / name, root, exclude):
                    yield here / name


def display(path: Path) -> str:
    """Return ``path`` relative to the working directory when it is below it (as ruff prints paths)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
