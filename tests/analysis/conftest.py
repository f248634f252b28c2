"""Fixtures for the analysis tests. Case files are data, never collected or imported."""

from __future__ import annotations

collect_ignore_glob = ["cases/*"]
