"""Ad sets: build the stored object from validated params, apply updates, derive read-only fields.

Money and times are stored as integers (minor units, UNIX seconds); the node
schema renders them. `effective_status` is never stored: `computed` derives it
from the ad set's own status and its campaign's on every read.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from mock_server.domain import status as statuses
from mock_server.domain.delivery import history
from mock_server.domain.rules.adset import (UPDATE_FILLS, UPDATE_RULES, AdSetContext, check, check_create, fill,
                                           fill_create)
from mock_server.domain.rules.adset_bidding import strategy_in_force
from mock_server.domain.world import AdAccount
from mock_server.store.per_store import PerStore
from mock_server.store.repository import Record, pinned_value
from mock_server.wire.errors import GraphError
from mock_server.wire.limits import ascii_digits

TYPE = "AdSet"
_MAX_ID = 2**63 - 1
Lookup = Callable[[int], Record | None]


class Parents:
    """The campaigns ad set creates were made under, reused while the store's version() has not moved since (it
    moves with every write and rollback here and with every other connection's commit), or moved only by the
    creates' own writes: an ad set and its activity record, never a campaign row (`wrote`). Bounded; one store."""

    __slots__ = ("store", "stamp", "records", "local")
    LIMIT = 1024  # campaigns kept (a few MB at most); a suite filling ad sets across more campaigns re-reads the rest

    def __init__(self) -> None:
        self.store: weakref.ref[Any] | None = None
        self.stamp: Any = None
        self.records: dict[int, Record | None] = {}
        self.local = False

    def lookup(self, store: Any, lookup: Lookup, campaign_id: int) -> tuple[Record | None, Any]:
        """The record `lookup` answers for `campaign_id` (call inside the create's transaction), and the version
        it holds for (what `wrote` is given)."""
        repository = getattr(store, "inner", store)  # the ObservedRepository's: version() without __getattr__
        if self.store is None or self.store() is not repository:
            self.records.clear()
            self.store, self.stamp = weakref.ref(repository), None
            self.local = _local_version(repository)
        if not self.local or pinned_value(repository) is not None:
            # pinned (a batch): version() keeps the other processes' part read when the pin began, so another
            # worker's commit would not move it; the row read inside this transaction is the truth
            return lookup(campaign_id), None
        version = repository.version()
        if version != self.stamp:
            self.records.clear()
            self.stamp = version
        records = self.records
        if campaign_id in records:
            return records[campaign_id], version
        record = lookup(campaign_id)
        if len(records) < self.LIMIT:
            records[campaign_id] = record
        return record, version

    def wrote(self, store: Any, version: Any) -> None:
        """The create writing at `version` inserted its ad set (and what the observers add): no campaign changed."""
        if version is not None and version == self.stamp:
            self.stamp = getattr(store, "inner", store).version()


def _local_version(repository: Any) -> bool:
    """SQLite only: its version() is read from memory (data_version, the WAL-index header), one connection per
    store. PostgreSQL's asks the server each time and serves several threads: no memo there."""
    from mock_server.store.sqlite import SQLiteRepository
    return isinstance(repository, SQLiteRepository)


# The memo of one store: two servers in one process never share records, and neither empties the other's memo.
parents_of: PerStore[Parents] = PerStore(Parents)


def parent_campaign(campaign_id: Any, account: AdAccount, lookup: Lookup, table: dict[str, Any]) -> Record:
    """The live campaign of this account an ad set is created under (seed 000: 'A valid ... campaign')."""
    text = str(campaign_id)
    record = lookup(int(text)) if ascii_digits(text) and int(text) <= _MAX_ID else None
    _check_parent(record, text, account, table)
    assert record is not None
    return record


def remembered_parent(campaign_id: Any, account: AdAccount, store: Any, lookup: Lookup,
                      table: dict[str, Any]) -> tuple[Record, Any]:
    """`parent_campaign` through the store's `Parents` (call inside the create's transaction), and the version to
    give its `wrote` once the ad set is inserted."""
    text = str(campaign_id)
    number = int(text) if ascii_digits(text) else _MAX_ID + 1
    record, version = parents_of(store).lookup(store, lookup, number) if number <= _MAX_ID else (None, None)
    _check_parent(record, text, account, table)
    assert record is not None
    return record, version


def _check_parent(record: Record | None, text: str, account: AdAccount, table: dict[str, Any]) -> None:
    reason = None
    if record is None or record.type != "Campaign" or record.account_id != account.account_id:
        reason = "is not a campaign id of this ad account"  # the same words for another account's object: no leak
    elif record.status not in table["live_campaign_statuses"]:
        reason = f"is a {record.status} campaign"
    if reason is not None:
        raise GraphError("adset_campaign_invalid", field="campaign_id", value=text, reason=reason, account=account.id)


def normalise(params: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    """Seed 000: time_start / time_stop are 'Interchangeable with' start_time / end_time."""
    spec = dict(params)
    for alias, name in table["aliases"].items():
        if alias in spec:
            value = spec.pop(alias)
            spec.setdefault(name, value)
    return spec


def build(params: dict[str, Any], ctx: AdSetContext, object_id: int) -> Record:
    """A new ad set record from decoded params (rules raise GraphError)."""
    return build_with_spec(params, ctx, object_id)[0]


def build_with_spec(params: dict[str, Any], ctx: AdSetContext, object_id: int) -> tuple[Record, dict[str, Any]]:
    """`build`, and the spec its rules passed: the params with their defaults filled (a create plan keeps it for
    the rules it runs again, domain/adset_plans.py)."""
    table = ctx.table
    spec = normalise(params, table)
    spec.setdefault("status", table["default_status"])
    spec["start_time"] = spec.get("start_time") or int(ctx.now)  # seed 000: defaults to the current time
    if not spec.get("end_time"):
        spec.pop("end_time", None)  # seed 000: end_time=0 or empty -> ongoing
    fill_create(spec, ctx)  # fill(CREATE_FILLS, ...): documented defaults (advantage_audience 1 by default, v23+)
    check_create(spec, ctx)  # check(CREATE_RULES, ...), the fact-only rules skipped when known to pass
    not_stored = ctx.tables.not_stored
    data = {k: v for k, v in spec.items() if k not in not_stored}
    data["campaign_id"] = str(ctx.campaign.id)
    if "bid_strategy" not in data and not ctx.campaign.data.get("bid_strategy"):
        data["bid_strategy"] = strategy_in_force(spec, ctx)[0]  # the default; a campaign's is inherited on read
    for key, value, copier in ctx.tables.defaults:  # table["defaults"], each the record's own copy
        if key not in data:
            data[key] = value if copier is None else copier(value)
    data["created_time"] = data["updated_time"] = int(ctx.now)
    return Record(id=object_id, type=TYPE, account_id=ctx.account.account_id, status=data["status"], data=data,
                  campaign_id=ctx.campaign.id, created=int(ctx.now)), spec


def update(record: Record, params: dict[str, Any], ctx: AdSetContext) -> None:
    """Apply POST /<AD_SET_ID> params after the edit restrictions and the rules on the merged ad set."""
    table = ctx.table
    spec = normalise(params, table)
    _check_editable(record, spec, table)
    logged = history.snapshot(record)
    _check_immutable(record, spec, table)
    merged = {**record.data, **spec}
    if not merged.get("end_time"):
        merged.pop("end_time", None)
    if record.status not in statuses.TERMINAL:
        before = dict(merged)
        fill(UPDATE_FILLS, merged, ctx)  # documented defaults (the account's DSA payor/beneficiary)
        spec.update({k: v for k, v in merged.items() if k not in before or before[k] != v})
        check(UPDATE_RULES, merged, ctx)
    for key, value in spec.items():
        if key in table["not_stored"] or key in table["update"]["immutable"]:
            continue
        if key == "end_time" and not value:
            record.data.pop("end_time", None)
            continue
        record.data[key] = value
    record.status = record.data.get("status", record.status)
    record.data["updated_time"] = int(ctx.now)
    history.note(record, logged, ctx.now)  # delivery replays status, budget and schedule changes


def _check_editable(record: Record, params: dict[str, Any], table: dict[str, Any]) -> None:
    """GRAPH-BEHAVIOUR 6.3 / M-ERR 1487056: DELETED -> name only; ARCHIVED -> name, status=DELETED."""
    rule = table["update"]["editable_when"].get(record.status)
    if rule is None:
        return
    changing = sorted(k for k in params if k not in table["not_stored"])
    bad = [k for k in changing if k not in rule["fields"]]
    if not bad and "status" in params and params["status"] not in rule.get("statuses", []):
        bad = ["status"]
    if bad:
        key = "edit_deleted_adset" if record.status == "DELETED" else "edit_archived_adset"
        raise GraphError(key, field=bad[0])


def _check_immutable(record: Record, params: dict[str, Any], table: dict[str, Any]) -> None:
    for name in table["update"]["immutable"]:
        if name in params and str(params[name]) != str(record.data.get(name)):
            raise GraphError("adset_campaign_id_immutable", field=name, value=params[name], current=record.data.get(name))


def computed(record: Record, lookup: Lookup) -> dict[str, Any]:
    """Fields Graph derives on read: statuses from the campaign, budget_remaining, inherited bid strategy."""
    data = record.data
    campaign = lookup(record.campaign_id) if record.campaign_id else None
    out: dict[str, Any] = {
        "configured_status": record.status,
        "effective_status": statuses.derive(record.status, campaign=campaign.status if campaign else None),
        "budget_remaining": data.get("daily_budget") or data.get("lifetime_budget") or 0,
        "campaign_id": str(record.campaign_id) if record.campaign_id else data.get("campaign_id"),
    }
    if campaign is not None:
        out["special_ad_categories"] = list(campaign.data.get("special_ad_categories") or [])
        if not data.get("bid_strategy") and campaign.data.get("bid_strategy"):
            out["bid_strategy"] = campaign.data["bid_strategy"]
    return out
