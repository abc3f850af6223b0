"""Ad set creates planned by request shape (issue 18 point 1, docs/cold-writes.md "Create plans").

A suite creates ad sets in loops: the same params every time but the name, under one campaign or campaigns alike.
What a create decodes and builds is a function of what it reads: the params' texts and the request's version
(datetimes aside, a text decodes alike whatever the account's zone), the account, what the rules read of the
campaign, the compiled rule tables, and the clock, which only stamps start_time, created_time and updated_time (no
create rule reads the clock without an end_time, and a plan never holds a datetime param). So from the second
create of a shape on, the create built the full way leaves a plan: its decoded params, its stored data and what
the rechecked rules read of its filled spec, with what they were built from. The next creates of that shape copy
them, decode only their name and campaign_id, set those and their times, and run only the rules that read what
a plan does not hold (`RECHECKED`: the world's pages and apps, the token's pages, the count of the campaign's ad
sets). Anything else differs (the campaign's status or stored data but its name and times, the account, the
tables, the contract): the full way again. Plans, shapes seen and campaign states are bounded in count and size."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import orjson

from mock_server.contract.decoding import Decoded
from mock_server.domain.adsets import TYPE, build_with_spec
from mock_server.domain.rules.adset import CAMPAIGN_UNREAD, RECHECKED, RECHECKED_READS, AdSetContext, check
from mock_server.store.per_store import PerStore
from mock_server.store.repository import Record
from mock_server.wire.memo import Memo

SCHEMA = "requests/adset.create"
_TEXT_LIMIT = 4096  # characters of a shape's texts, all params together: a longer create is never planned
_PLANS = 256  # per store
_SEEN = 1024  # shapes sent once, per store (a plan is worth its cost from a shape's second create on)
_PLAN_BYTES = 32 * 1024  # a plan's bytes at most (its params, data, spec and campaign state): 256 plans < 10 MB


@dataclass(slots=True, eq=False)
class Plan:
    """What a create of a shape decoded and built the full way, and what it was built from."""

    contract: Any
    account: Any  # the AdAccount (frozen): its currency and DSA defaults reach the data
    tables: Any  # the compiled rule tables (rules/adset_tables.py)
    campaign: tuple[str, bytes]  # the campaign's status and data the plan was built under (`_campaign_state`)
    values: bytes  # the decoded params (orjson): each create reads its own copy
    data: bytes  # the stored data, its name and times to be set
    spec: bytes  # what RECHECKED reads of the filled spec (RECHECKED_READS), as orjson bytes


@dataclass(slots=True, eq=False)
class Planned:
    """A create's shape (None: never planned) and, when a plan of it is at hand, the plan and the params decoded
    from it (its own name and campaign_id)."""

    key: tuple[Any, ...] | None
    plan: Plan | None = None
    params: dict[str, Any] | None = None


class Plans:
    """One store's plans by shape, and the shapes seen once (both bounded); `enabled` False builds every create the
    full way (the tests compare)."""

    __slots__ = ("shapes", "seen", "enabled")

    def __init__(self) -> None:
        self.shapes: Memo = Memo(_PLANS)
        self.seen: Memo = Memo(_SEEN)  # hash(shape) -> True
        self.enabled = True


plans_of: PerStore[Plans] = PerStore(Plans)  # one store's plans: servers in one process never share them


def shape(raw: dict[str, Any], version: str) -> tuple[Any, ...] | None:
    """The key of a create's shape: its params' names and texts as sent, in order, the texts of the name and the
    campaign_id left out (None: not planned, a value not sent as text, either missing, or texts too long)."""
    texts = list(raw.values())
    try:
        if len("".join(texts)) > _TEXT_LIMIT:  # a value that is not text raises
            return None
    except TypeError:
        return None
    names = tuple(raw)
    try:
        texts[names.index("name")] = texts[names.index("campaign_id")] = None
    except ValueError:
        return None
    return version, names, tuple(texts)


def recall(call: Any) -> Planned:
    """This create's shape, and its planned form when a plan of that shape is at hand: its params decoded as
    `call.params` would (and recorded on the call as it records them)."""
    plans = plans_of(call.state.store)
    raw = call.request.params
    key = shape(raw, call.version) if plans.enabled else None
    plan = plans.shapes.get(key) if key is not None else None
    contract = call.state.contract
    if plan is None or plan.contract is not contract or plan.account is not call.account:
        return Planned(key)
    valid, name = contract.decode_one(SCHEMA, "name", raw["name"])
    if not valid:
        return Planned(key)
    valid, campaign_id = contract.decode_one(SCHEMA, "campaign_id", raw["campaign_id"])
    if not valid:
        return Planned(key)
    values = orjson.loads(plan.values)
    values["name"], values["campaign_id"] = name, campaign_id
    call.decoded, call.decoded_schema = Decoded(values), SCHEMA
    return Planned(key, plan, dict(values))


def build(call: Any, planned: Planned, params: dict[str, Any], ctx: AdSetContext, object_id: int) -> Record:
    """The new ad set: from the plan when it was built under this very campaign state and tables, else built the
    full way (adsets.build_with_spec) and, from the second create of its shape on, planned for the next one."""
    campaign = ctx.campaign
    plan = planned.plan
    if plan is not None and plan.tables is ctx.tables and plan.campaign == _campaign_state(campaign):
        check(RECHECKED, orjson.loads(plan.spec), ctx)
        data = orjson.loads(plan.data)
        data["name"], data["campaign_id"] = params["name"], str(campaign.id)
        now = int(ctx.now)
        data["start_time"] = data["created_time"] = data["updated_time"] = now
        return Record(id=object_id, type=TYPE, account_id=ctx.account.account_id, status=data["status"],
                      data=data, campaign_id=campaign.id, created=now)
    plans = plans_of(call.state.store)
    key = planned.key
    if key is not None and plan is None:
        seen = hash(key)  # an int: nothing held but a number (a collision only plans a shape one create early)
        if seen not in plans.seen:
            plans.seen.keep(seen, True)  # planned from its second create on: a shape sent once costs an entry
            key = None
    values = _values(call, key)
    record, spec = build_with_spec(params, ctx, object_id)
    if values is not None:
        _remember(plans, key, call, ctx, values, record, spec)
    return record


def _values(call: Any, key: Any) -> bytes | None:
    """The decoded params of a create that may be planned, as orjson bytes, before building changes anything."""
    decoded = call.decoded
    if key is None or decoded is None or call.decoded_schema != SCHEMA or decoded.unknown or decoded.relaxed:
        return None
    kinds = call.state.contract.decoder(SCHEMA).kinds  # every name is one of them (decoded.unknown is empty)
    if any(kinds.get(name) == "datetime" for name in call.request.params):
        return None  # a datetime decodes in the account's zone; start_time and end_time bring the clock's rules
    try:
        values = orjson.dumps(decoded.values)
    except (orjson.JSONEncodeError, TypeError):
        return None
    return values if _read_back(values, decoded.values) else None


def _remember(plans: Plans, key: Any, call: Any, ctx: AdSetContext, values: bytes, record: Record,
              spec: dict[str, Any]) -> None:
    read = {k: spec[k] for k in RECHECKED_READS if k in spec}
    try:
        data, kept_spec = orjson.dumps(record.data), orjson.dumps(read)
        campaign = _campaign_state(ctx.campaign)
    except (orjson.JSONEncodeError, TypeError):
        return
    if len(values) + len(data) + len(kept_spec) + len(campaign[1]) > _PLAN_BYTES:
        return  # a campaign or params of unusual size: built the full way every time
    if not (_read_back(data, record.data) and _read_back(kept_spec, read)):
        return
    plans.shapes.keep(key, Plan(call.state.contract, ctx.account, ctx.tables, campaign, _exact(values),
                                _exact(data), _exact(kept_spec)))


def _exact(written: bytes) -> bytes:
    """A copy of orjson's output at its own size (orjson's bytes keep the room it reserved while writing)."""
    return bytes(memoryview(written))


def _campaign_state(campaign: Record) -> tuple[str, bytes]:
    """What a create reads of its campaign: its status and data, but for what no create rule, fill or build reads
    (`rules.adset.CAMPAIGN_UNREAD`: its name and times). Campaigns alike but for those share their plans.

    Kept per record object, by a weak reference: a store hands out a new Record on every read and the parents
    memo (adsets.Parents) reads the campaign again after any other write, while creates only read the record it
    gives them. So the same live object is the same campaign as stored, and its state is worked out once (~4 us a
    create otherwise). An object that died is never mistaken for a new one at its address: its reference is dead."""
    kept = _STATES.get(id(campaign))
    if kept is not None and kept[0]() is campaign:
        return kept[1]  # type: ignore[no-any-return]
    state = campaign.status, _exact(orjson.dumps({k: v for k, v in campaign.data.items() if k not in CAMPAIGN_UNREAD}))
    if len(state[1]) <= _PLAN_BYTES:
        _STATES.keep(id(campaign), (weakref.ref(campaign), state))
    return state


_STATES = Memo(1024)  # id(campaign record) -> (a weak reference to it, its state)


def _read_back(written: bytes, value: Any) -> bool:
    """Whether orjson reads `written` back to `value`. orjson writes ints, floats and booleans apart and keeps key
    order, so equality stands for sameness here; what it does not keep (a tuple, a NaN) reads back unequal."""
    try:
        return bool(orjson.loads(written) == value)
    except orjson.JSONDecodeError:
        return False
