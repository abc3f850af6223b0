"""The delivery-relevant history of a campaign, ad set or ad: status, budgets and schedule over time.

Graph objects only keep their current state, but spend on a past day depends on whether the ad was running
then. Every update records the new state under `data["_history"]` (a short list of `[unix, {...}]`; the
first entry is the state at creation), so delivery can replay it. Objects without a history (never
updated) have had their current state since `created_time`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mock_server.store.repository import Record

KEY = "_history"
TRACKED = ("status", "daily_budget", "lifetime_budget", "start_time", "end_time", "stop_time")
MAX_ENTRIES = 200  # bounded: older changes fold into the first entry's successor


def snapshot(record: Record) -> dict[str, Any]:
    data = record.data
    out = {key: data.get(key) for key in TRACKED if data.get(key) is not None}
    out["status"] = record.status
    return out


@contextmanager
def recorded(record: Record, now: float) -> Iterator[None]:
    """Wrap an in-place update: the state before (if first change) and after are logged."""
    before = snapshot(record)
    yield
    note(record, before, now)


def note(record: Record, before: dict[str, Any], now: float) -> None:
    """Log the record's state after an update whose previous state was `before`."""
    after = snapshot(record)
    if after == before:
        return
    log = record.data.get(KEY)
    if not log:
        log = [[int(record.data.get("created_time") or record.created or 0), before]]
    log.append([int(now), after])
    if len(log) > MAX_ENTRIES:
        log = [log[0]] + log[-(MAX_ENTRIES - 1):]
    record.data[KEY] = log


def timeline(record: Record) -> list[tuple[float, dict[str, Any]]]:
    """[(from unix, state)], ascending; the first starts at creation."""
    log = record.data.get(KEY)
    if not log:
        return [(float(record.data.get("created_time") or record.created or 0), snapshot(record))]
    return [(float(ts), state) for ts, state in log]


def created(record: Record) -> float:
    return float(record.data.get("created_time") or record.created or 0)
