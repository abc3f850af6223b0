"""Counters that must add up across every process serving one world: fault fires and rate-limit scores.

A fault rule is shared through shared.py, but `times: N` means N fires in the world, not N per worker. When
the store is shared (`state.shared.counts_in_store`: `--workers`, or PostgreSQL), each fire is counted in the
store's meta (`fault_fired:<fault id>`) in a transaction that also checks the limit, so concurrent processes
never fire a rule more than `times` times, and every process's fault listing shows the world's count.

Rate-limit scores are already kept in the store in that case (access/__init__.py `_charge_in_store`);
`stored_scores` is their readout for `GET /__graphmock/rate_limits` and the dashboard.
"""

from __future__ import annotations

import logging
from typing import Any

FIRED = "fault_fired:"
RATE_LIMITS = "ratelimit:"  # + "accounts:<act>" or "apps:<app id>": [score, at, blocked_until]
SCORES = RATE_LIMITS + "accounts:"
# Meta keys no answer reads, rewritten on every request of a shared world: the stores keep them out of their
# freshness token (store/postgres.py `_changing`; store/sqlite.py keeps them in the sibling file).
COUNTER_PREFIXES = (RATE_LIMITS, FIRED)
log = logging.getLogger("graphmock")


class _Spent(Exception):
    """The rule had already fired its `times` elsewhere: undo this count."""


class StoredFaultCounts:
    """FaultRegistry's counter when the store is shared (access/faults.py calls `fire`, `refresh`, `forget`)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def fire(self, fault: Any) -> bool:
        """Count one fire of `fault` in the store; False (nothing counted) when it has fired `times` already."""
        store = self.state.store
        try:
            with store.transaction():  # SQLite: BEGIN IMMEDIATE; PostgreSQL: the counter row stays locked
                count = store.increment_meta(FIRED + fault.id)
                if fault.times is not None and count > fault.times:
                    # written back rather than rolled back: inside a caller's transaction (an insights POST)
                    # this one only joins it, and a rollback would not happen
                    store.set_meta(FIRED + fault.id, fault.times)
                    raise _Spent
        except _Spent:
            fault.matched = fault.times
            return False
        except Exception:  # noqa: BLE001 - the store failed: count here rather than fail the request
            log.exception("graphmock: could not count fault %s in the store", fault.id)
            fault.matched += 1
            return True
        fault.matched = count
        return True

    def refresh(self, faults: list[Any]) -> None:
        """Every process's fires, for the listing."""
        counts = self.state.store.meta_items(FIRED) if faults else {}
        for fault in faults:
            fault.matched = int(counts.get(FIRED + fault.id) or 0)

    def forget(self, fault_id: str) -> None:
        """A new rule starts at zero, even if an id like it fired before (a server restarted with fresh ids)."""
        store = self.state.store
        with store.transaction():
            store.set_meta(FIRED + fault_id, 0)  # a number: PostgreSQL's increment_meta adds to it in SQL


def stored_scores(state: Any) -> dict[str, Any]:
    """`GET /__graphmock/rate_limits` scores from the store: {act: {score, at, blocked_for_seconds}}, the same
    shape as RateLimiter.snapshot."""
    now = state.now()
    out = {}
    for key, value in state.store.meta_items(SCORES).items():
        try:
            score, at, blocked_until = (float(v) for v in value)
        except (TypeError, ValueError):
            continue
        out[key[len(SCORES):]] = {"score": round(score, 3), "at": at, "blocked_for_seconds": max(0.0, blocked_until - now)}
    return out
