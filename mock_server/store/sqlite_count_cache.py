"""Plain counts of a SQLite store (`summary.total_count`, the 200 ad sets per campaign limit), kept across the
store's own inserts.

A count used to be cached until the next write of any kind, so every create ad set counted its campaign's ad sets
again with SQL (an index range of up to 200 entries, ~10 us, the second largest statement of that transaction).
An insert changes a count by exactly one when the record matches the count's filters, so `inserted` adjusts the
cached totals in place; every other change (update, delete, reset, bulk load, a rolled-back transaction) forgets
them all. Each total is also stamped with the store's external version: after another connection's commit (another
worker's) it is counted again.

A parent this store has just inserted (a campaign, an ad set) has no children yet: `born` keeps its id, stamped the
same way, until a record naming it as campaign_id or adset_id is inserted, so the first count under it (the ad set
limit of a campaign's first ad set: what a test suite does after every create campaign) is 0 without SQL. Its id
was above every id stored (`next_id`), and every change but an insert forgets it; a row naming an id that did not
exist yet (only a hand-made snapshot holds one) would be missed.
"""

from __future__ import annotations

from typing import Any

CountKey = tuple[Any, ...]  # (type, account_id, campaign_id, adset_id, key, statuses or None)
# Counts kept at most (~300 bytes each). Ad sets created in turn under more campaigns than this re-count each one:
# with 256, a run over 400 campaigns missed every time (~13 us a create ad set against ~0.5 us for a hit).
_LIMIT = 4096


_ABSENT = object()


class CountCache:
    __slots__ = ("entries", "by_scope", "fresh")

    def __init__(self) -> None:
        self.entries: dict[CountKey, tuple[Any, int]] = {}  # key -> (external version, total)
        # keys by (type, campaign_id): an insert looks only at its campaign's counts and the campaign-less ones
        self.by_scope: dict[tuple[str, Any], set[CountKey]] = {}
        self.fresh: dict[Any, Any] = {}  # id of a record inserted here that no record names yet -> external version

    def get(self, key: CountKey, external: Any) -> int | None:
        entry = self.entries.get(key)
        return entry[1] if entry is not None and entry[0] == external else None

    def remember(self, key: CountKey, external: Any, total: int) -> None:
        if len(self.entries) >= _LIMIT and key not in self.entries:
            self._evict(_LIMIT // 2)
        self.entries[key] = (external, total)
        self.by_scope.setdefault((key[0], key[2]), set()).add(key)

    def born(self, record_id: Any, external: Any) -> None:
        """A record with a new id was inserted (inside a write transaction at `external`): nothing names it."""
        fresh = self.fresh
        if len(fresh) >= _LIMIT:
            fresh.clear()
        fresh[record_id] = external

    def empty(self, key: CountKey, external: Any) -> bool:
        """Whether count `key` is 0 because its campaign or ad set is a record `born` here that no record names
        yet, and no other connection committed since."""
        fresh = self.fresh
        if not fresh:
            return False
        campaign_id, adset_id = key[2], key[3]
        return ((campaign_id is not None and fresh.get(campaign_id, _ABSENT) == external)
                or (adset_id is not None and fresh.get(adset_id, _ABSENT) == external))

    def inserted(self, record: Any) -> None:
        """`record` was just inserted: each cached count whose filters it matches grows by one (and the parents it
        names are no longer childless)."""
        fresh = self.fresh
        if fresh:
            if record.campaign_id is not None:
                fresh.pop(record.campaign_id, None)
            if record.adset_id is not None:
                fresh.pop(record.adset_id, None)
        if not self.entries:
            return
        by_scope, type_, campaign_id = self.by_scope, record.type, record.campaign_id
        campaign_keys = by_scope.get((type_, campaign_id)) if campaign_id is not None else None
        for keys in (by_scope.get((type_, None)), campaign_keys):  # its campaign's counts, the campaign-less ones
            if keys:
                for key in keys:
                    if _matches(key, record):
                        stamp, total = self.entries[key]
                        self.entries[key] = (stamp, total + 1)

    def _evict(self, count: int) -> None:
        """Forget the `count` counts remembered first (a dict keeps insertion order), not all of them: the ones
        in use now stay."""
        entries, by_scope = self.entries, self.by_scope
        for key in list(entries)[:count]:
            del entries[key]
            scope = (key[0], key[2])
            keys = by_scope.get(scope)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del by_scope[scope]

    def changed(self) -> None:
        """Anything but an insert changed the objects (or a transaction rolled back): forget every count."""
        if self.entries:
            self.entries.clear()
            self.by_scope.clear()
        if self.fresh:
            self.fresh.clear()


def _matches(key: CountKey, record: Any) -> bool:
    _type, account_id, campaign_id, adset_id, lookup_key, statuses = key
    return ((account_id is None or account_id == record.account_id)
            and (campaign_id is None or campaign_id == record.campaign_id)
            and (adset_id is None or adset_id == record.adset_id)
            and (lookup_key is None or lookup_key == record.key)
            and (statuses is None or record.status in statuses))
