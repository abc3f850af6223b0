"""The ad account's activity log (ACCOUNT-SURFACE 2.5 'activities'), generated from what happened.

Writes are observed at the repository (`store/observed.py`): creating a campaign, ad set, ad or custom audience,
and changing a watched field of one (status, budget, name, bid, targeting, schedule, labels) appends an
AdActivity record with `extra_data` = `{"old_value", "new_value"}` as JSON text. Review decisions are derived
when the log is read, from each ad's review on the virtual clock, so they appear when the clock reaches them.
Activity records use ids below the object id range so they never shift the ids of ads objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from mock_server.domain import review, timefmt
from mock_server.domain.world import Token, World
from mock_server.store.repository import ListQuery, Record, Repository

TYPE = "AdActivity"
ID_BASE = 9_000_000_000_000_000  # below the object ids (store.sqlite.ID_BASE), above fixture ids
_SEQ_KEY = "activity_seq"
Actor = dict[str, str | None]
ACTOR: ContextVar[Actor | None] = ContextVar("graphmock_activity_actor", default=None)


def actor_of(world: World, token: Token) -> dict[str, str | None]:
    """The actor fields of a token's calls, built once per world and token: a world is replaced, never edited in
    place (read_cache.py), and the recorder only reads the dict (it copies it into each activity)."""
    key = (token.user_id, token.app_id)
    kept = _ACTORS.get(key)
    if kept is not None and kept[0] is world:
        return kept[1]
    actor = {"actor_id": token.user_id, "actor_name": world.users.get(token.user_id, {}).get("name"),
             "application_id": token.app_id, "application_name": world.apps.get(token.app_id or "", {}).get("name")}
    if len(_ACTORS) >= 256:
        _ACTORS.clear()
    _ACTORS[key] = (world, actor)
    return actor


_ACTORS: dict[tuple[str, str | None], tuple[World, dict[str, str | None]]] = {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)


class Recorder:
    """Turns observed inserts and updates into AdActivity records (called inside the write's transaction)."""

    def __init__(self, table: dict[str, Any], now: Callable[[], float]) -> None:
        self.table = table
        self.now = now

    def before_write(self, store: Repository, record: Record) -> None:
        return None

    def inserted(self, store: Repository, record: Record) -> None:
        event = self.table["create"].get(record.type)
        if event:
            self._append(store, record, event, None)

    def updated(self, store: Repository, before: Record | None, after: Record) -> None:
        if before is None:
            return
        if after.status == "DELETED" and before.status != "DELETED" and after.type in self.table["delete"]:
            self._append(store, after, self.table["delete"][after.type], None)
            return
        watched = self.table["changes"].get(after.type, {})
        seen: set[str] = set()
        for field, event in watched.items():
            old = before.status if field == "status" else before.data.get(field)
            new = after.status if field == "status" else after.data.get(field)
            if old != new and event not in seen:
                seen.add(event)
                self._append(store, after, event, {"old_value": _text(old) if old is not None else "",
                                                   "new_value": _text(new) if new is not None else ""})

    def _append(self, store: Repository, record: Record, event: str, extra: dict[str, str] | None) -> None:
        # atomic: two servers on one PostgreSQL never take the same number (SQLite: the activities table's max id)
        activity_id = store.next_in_sequence(_SEQ_KEY, TYPE, ID_BASE)
        actor = ACTOR.get() or {}
        now = int(self.now())
        data = {"event_time": now, "event_type": event, "object_id": str(record.id),
                "object_name": str(record.data.get("name", "")), "object_type": self.table["object_types"].get(record.type, record.type.upper()),
                "extra_data": json.dumps(extra, separators=(",", ":")) if extra else "{}", **actor}
        store.insert(Record(id=activity_id, type=TYPE, account_id=record.account_id, status="ACTIVE", data=data,
                            created=now))


def reviews(store: Repository, account_id: str, now: float, table: dict[str, Any]) -> list[dict[str, Any]]:
    """ad_review_approved / ad_review_declined for each ad whose review has been decided by `now`."""
    out = []
    for ad in store.iterate(ListQuery("Ad", account_id=account_id)):
        stored = ad.data.get("review") or {}
        state = review.resolved(stored or None, now)
        if state not in ("APPROVED", "DISAPPROVED"):
            continue
        at = stored.get("decided_at") or stored.get("decide_at") or stored.get("submitted_at")
        if at is None:
            continue
        event = "ad_review_approved" if state == "APPROVED" else "ad_review_declined"
        out.append({"event_time": int(at), "event_type": event, "object_id": str(ad.id),
                    "object_name": str(ad.data.get("name", "")), "object_type": table["object_types"]["Ad"],
                    "extra_data": "{}", "actor_id": None, "actor_name": "Meta", "order": 0})
    return out


def rows(store: Repository, account_id: str, since: int, until: int, now: float, table: dict[str, Any],
         tz_name: str | None) -> list[dict[str, Any]]:
    """The log between since and until, newest first, with the derived read fields."""
    stored = [{**r.data, "order": r.id} for r in store.iterate(ListQuery(TYPE, account_id=account_id))
              if since <= r.data["event_time"] <= until]
    derived = [row for row in reviews(store, account_id, now, table) if since <= row["event_time"] <= until]
    merged = sorted(stored + derived, key=lambda row: (row["event_time"], row["order"]), reverse=True)
    tz = timefmt.zone(tz_name)
    for row in merged:
        row["category"] = table["categories"].get(row["event_type"], "ACCOUNT")
        row["translated_event_type"] = table["translated"].get(row["event_type"], row["event_type"].replace("_", " "))
        row["date_time_in_timezone"] = datetime.fromtimestamp(row["event_time"], tz).strftime("%m/%d/%Y at %-I:%M %p")
    return merged
