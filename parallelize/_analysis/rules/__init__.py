"""The rule registry: code → :class:`~parallelize._analysis.rules.base.Rule`, grouped by family.

Codes are never renumbered or reused. Importing this package registers every family module.
"""

from __future__ import annotations

from parallelize._analysis.rules import (
    advisory,
    caches,
    control,
    dependency,
    globalstate,
    input,
    mutation,
    proxies,
    stale,
    threads,
)
from parallelize._analysis.rules.base import REGISTRY, Finding, Rule

__all__ = ["REGISTRY", "Finding", "Rule", "all_rules", "get_rule", "rules_for"]
# imported for their registrations
_FAMILIES = (input, mutation, control, dependency, threads, proxies, stale, globalstate, advisory, caches)


def all_rules() -> list[Rule]:
    """Return every registered rule, sorted by code."""
    return [REGISTRY[code] for code in sorted(REGISTRY)]


def get_rule(code: str) -> Rule | None:
    """Return the rule for ``code`` (case-insensitive), or ``None``."""
    return REGISTRY.get(code.upper())


def rules_for(kind: str) -> list[Rule]:
    """Return the rules that report effects of ``kind``."""
    return [r for r in all_rules() if kind in r.kinds]
