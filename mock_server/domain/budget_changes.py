"""The ad set budget-change limit (GRAPH-BEHAVIOUR 2/8, M-RL: 4 changes per ad set per hour, 613/1487632).

The rule is data (`schemas/rules/budget_changes.json`); `ServerConfig.budget_change_limit` turns it off
(False) or replaces numbers (a dict). The times of recent changes live in the ad set's stored data under a
key no read renders, so they survive restarts and snapshots like the budget itself.
"""

from __future__ import annotations

from typing import Any

from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

KEY = "_budget_changes"  # not a node field: never rendered, never listed by `fields`


def settings(table: dict[str, Any], override: bool | dict[str, Any] | None) -> dict[str, Any] | None:
    """The limit in force, or None when off."""
    if override is False:
        return None
    merged = {**table, **(override if isinstance(override, dict) else {})}
    if override is True:
        merged["enabled"] = True
    return merged if merged.get("enabled") else None


def check(record: Record, params: dict[str, Any], now: float, limit: dict[str, Any] | None) -> list[float] | None:
    """Refuse a budget change over the limit; return the change times to store (None: not a budget change)."""
    if limit is None:
        return None
    changed = any(name in params and params[name] is not None and params[name] != record.data.get(name)
                  for name in limit["fields"])
    if not changed:
        return None
    window = float(limit["window_seconds"])
    recent = [t for t in record.data.get(KEY, []) if isinstance(t, (int, float)) and now - t < window]
    if len(recent) >= int(limit["max_changes"]):
        raise GraphError("adset_budget_change_limit", field="daily_budget" if "daily_budget" in params
                         else "lifetime_budget", max_changes=limit["max_changes"])
    return [*recent, now]
