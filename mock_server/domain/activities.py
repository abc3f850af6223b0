"""The ad account's activity log (ACCOUNT-SURFACE 2.5 'activities'), generated from what happened.

Writes are observed at the repository (`store/observed.py`). Changing a watched field of a campaign, ad set, ad or
custom audience (status, budget, name, bid, targeting, schedule, labels) appends an AdActivity record with
`extra_data` = `{"old_value", "new_value"}` as JSON text. Creating one stamps the new object instead
(`CREATED_KEY`: its place in the log, the time, who acted): its create_* entry is derived when the log is read, as
review decisions are (from each ad's review on the virtual clock, so they appear when the clock reaches them).
A stamp costs a few bytes of the object's row; a stored entry was a record, an id and an INSERT on every create
(~8 % of a create ad set's server time, issue 18). The first rename of a stamped object keeps its earlier name
(`NAME_BEFORE`) in the rename's entry, so the derived create_* entry names the object as it was created.
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
CREATED_KEY = "_created"  # not a node field: [order, event_time] + [actor_id, application_id] when an actor acted
NAME_BEFORE = "_name_before"  # not an AdActivity field: the object's name before its first rename
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

    def before_insert(self, store: Repository, record: Record) -> None:
        """Stamp a created campaign, ad set, ad or audience with its create_* entry (`created_rows`). Its order
        is the last activity number taken: entries stored before it sort below, later ones (numbered above it)
        after, and creates between the same two stored entries by object id, their order of creation."""
        if record.type not in self.table["create"]:
            return
        order = store.next_in_sequence(_SEQ_KEY, TYPE, ID_BASE) - 1  # PostgreSQL: a number of its own, unused
        actor = ACTOR.get()
        stamp: list[Any] = [order, int(self.now())]
        if actor:
            stamp += [actor["actor_id"], actor["application_id"]]
        record.data[CREATED_KEY] = stamp  # a copy or a batch's create gets its own

    def inserted(self, store: Repository, record: Record) -> None:
        return None

    def updated(self, store: Repository, before: Record | None, after: Record) -> None:
        if before is None:
            return
        if after.status == "DELETED" and before.status != "DELETED" and after.type in self.table["delete"]:
            self._append(store, after, self.table["delete"][after.type], None)
            return
        watched = self.table["changes"].get(after.type, {})
        seen: set[str] = set()
        renamed = CREATED_KEY in after.data and before.data.get("name") != after.data.get("name")
        for field, event in watched.items():
            old = before.status if field == "status" else before.data.get(field)
            new = after.status if field == "status" else after.data.get(field)
            if old != new and event not in seen:
                seen.add(event)
                self._append(store, after, event, {"old_value": _text(old) if old is not None else "",
                                                   "new_value": _text(new) if new is not None else ""},
                             str(before.data.get("name", "")) if renamed and len(seen) == 1 else None)

    def _append(self, store: Repository, record: Record, event: str, extra: dict[str, str] | None,
                name_before: str | None = None) -> None:
        # atomic: two servers on one PostgreSQL never take the same number (SQLite: the activities table's max id)
        activity_id = store.next_in_sequence(_SEQ_KEY, TYPE, ID_BASE)
        actor = ACTOR.get() or {}
        now = int(self.now())
        data = {"event_time": now, "event_type": event, "object_id": str(record.id),
                "object_name": str(record.data.get("name", "")), "object_type": self.table["object_types"].get(record.type, record.type.upper()),
                "extra_data": json.dumps(extra, separators=(",", ":")) if extra else "{}", **actor}
        if name_before is not None:
            data[NAME_BEFORE] = name_before
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
                    "extra_data": "{}", "actor_id": None, "actor_name": "Meta", "order": (0, 0)})
    return out


def created_rows(store: Repository, account_id: str, table: dict[str, Any], world: World,
                 names_before: dict[str, str]) -> list[dict[str, Any]]:
    """The create_* entry of each stamped object (`Recorder.before_insert`), named as it was created."""
    out = []
    for type_, event in table["create"].items():
        object_type = table["object_types"].get(type_, type_.upper())
        for record in store.iterate(ListQuery(type_, account_id=account_id)):
            stamp = record.data.get(CREATED_KEY)
            if not stamp:
                continue  # created by a fixture, a load or an earlier graphmock (its entry, if any, is stored)
            object_id = str(record.id)
            name = names_before.get(object_id, str(record.data.get("name", "")))
            row = {"event_time": stamp[1], "event_type": event, "object_id": object_id, "object_name": name,
                   "object_type": object_type, "extra_data": "{}", "order": (stamp[0], record.id)}
            if len(stamp) > 2:
                row.update(_actor(world, stamp[2], stamp[3]))
            out.append(row)
    return out


def _actor(world: World, user_id: str, app_id: str | None) -> dict[str, str | None]:
    return {"actor_id": user_id, "actor_name": world.users.get(user_id, {}).get("name"), "application_id": app_id,
            "application_name": world.apps.get(app_id or "", {}).get("name")}


def rows(store: Repository, account_id: str, since: int, until: int, now: float, table: dict[str, Any],
         tz_name: str | None, world: World) -> list[dict[str, Any]]:
    """The log between since and until, newest first, with the derived read fields."""
    stored, names_before = [], {}
    for record in store.iterate(ListQuery(TYPE, account_id=account_id)):  # newest first: the oldest rename wins
        data = record.data
        if NAME_BEFORE in data:
            data = dict(data)
            names_before[data["object_id"]] = data.pop(NAME_BEFORE)
        if since <= data["event_time"] <= until:
            stored.append({**data, "order": (record.id, 0)})
    derived = [row for row in reviews(store, account_id, now, table) + created_rows(store, account_id, table, world,
                                                                                    names_before)
               if since <= row["event_time"] <= until]
    merged = sorted(stored + derived, key=lambda row: (row["event_time"], row["order"]), reverse=True)
    tz = timefmt.zone(tz_name)
    for row in merged:
        row["category"] = table["categories"].get(row["event_type"], "ACCOUNT")
        row["translated_event_type"] = table["translated"].get(row["event_type"], row["event_type"].replace("_", " "))
        row["date_time_in_timezone"] = datetime.fromtimestamp(row["event_time"], tz).strftime("%m/%d/%Y at %-I:%M %p")
    return merged
