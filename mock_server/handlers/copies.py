"""POST /<campaign_id>/copies, /<adset_id>/copies, /<ad_id>/copies (ACCOUNT-SURFACE 8).

A copy is built by the same domain builders as a create, from the source's fields, so it obeys the same rules
and gets a new id. `deep_copy` copies the children too; a synchronous copy copies at most 3 ads (1885194).
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import ads, adsets, campaigns, copies
from mock_server.domain.assetrules import table
from mock_server.domain.rules.campaign import RuleContext
from mock_server.domain.rules.ad import AdContext
from mock_server.handlers import adcreatives
from mock_server.handlers.adsets import _context as adset_context
from mock_server.handlers.call import Call
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.errors import GraphError

_LIVE = ("ACTIVE", "PAUSED")


def _allowed(call: Call, schema: str) -> set[str]:
    return set(call.state.registry.documents[f"requests/{schema}"]["properties"])


def _children(call: Call, node_type: str, **where: Any) -> list[Record]:
    return sorted(call.state.store.iterate(ListQuery(node_type, statuses=_LIVE, **where)), key=lambda r: r.id)


def _count_ads(call: Call, source: Record) -> int:
    where = {"campaign_id": source.id} if source.type == "Campaign" else {"adset_id": source.id}
    return call.state.store.count(ListQuery("Ad", statuses=_LIVE, **where))


def _check_limit(call: Call, source: Record, deep: bool) -> None:
    limit = table("copies")["max_sync_ads"]
    count = _count_ads(call, source) if deep else 0
    if count > limit:
        raise GraphError("copies_too_many_ads", count=str(count), limit=str(limit))


def _begin(call: Call, schema: str) -> tuple[dict[str, Any], Record, Any, dict[str, Any], bool]:
    """(params, source, account, options, deep) of a copy request, after the synchronous size limit."""
    params = call.params(schema)
    source = call.node.record
    account = call.account
    assert source is not None and account is not None
    deep = bool(params.get("deep_copy"))
    _check_limit(call, source, deep)
    return params, source, account, copies.options(params, table("copies")), deep


def copy_campaign(call: Call) -> tuple[int, Any]:
    params, source, account, opts, deep = _begin(call, "campaign.copy")
    store, now = call.state.store, call.state.now()
    with store.transaction():
        spec = copies.create_params(source, _allowed(call, "campaign.create"))
        spec.update(name=copies.name(source.data.get("name", ""), opts, True), status=copies.status(source, opts))
        for key in ("start_time", "end_time"):
            if key in params:
                spec["start_time" if key == "start_time" else "stop_time"] = params[key]
        record = campaigns.build(spec, RuleContext(call.state.registry, account), store.next_id(), now)
        record.data["source_campaign_id"] = str(source.id)
        store.insert(record)
        made = [copies.entry("campaign", source, record)]
        if deep:
            for adset in _children(call, "AdSet", campaign_id=source.id):
                made += _copy_adset(call, adset, record, opts, {}, deep=True, top=False)[1]
    return 200, {"copied_campaign_id": str(record.id), "ad_object_ids": made}


def copy_adset(call: Call) -> tuple[int, Any]:
    params, source, account, opts, deep = _begin(call, "adset.copy")
    store = call.state.store
    with store.transaction():
        if params.get("campaign_id") is not None:
            campaign = adsets.parent_campaign(params["campaign_id"], account, call.lookup,
                                              call.state.registry.rules("adset"))
        else:
            campaign = call.lookup(source.campaign_id or 0)
        if campaign is None:
            raise GraphError("copies_parent_invalid", field="campaign_id", expected="a campaign",
                             value=str(params.get("campaign_id")))
        schedule = {k: params[k] for k in ("start_time", "end_time") if k in params}
        record, made = _copy_adset(call, source, campaign, opts, schedule, deep=deep, top=True)
    return 200, {"copied_adset_id": str(record.id), "ad_object_ids": made}


def _copy_adset(call: Call, source: Record, campaign: Record, opts: dict[str, Any], schedule: dict[str, Any], *,
                deep: bool, top: bool) -> tuple[Record, list[dict[str, str]]]:
    store, now = call.state.store, call.state.now()
    spec = copies.create_params(source, _allowed(call, "adset.create"))
    spec.update(name=copies.name(source.data.get("name", ""), opts, top), status=copies.status(source, opts),
                campaign_id=str(campaign.id))
    copies.shift_schedule(spec, now)
    spec.update(schedule)
    if campaign.data.get("daily_budget") or campaign.data.get("lifetime_budget"):
        spec.pop("daily_budget", None)  # the new parent's budget is inherited (ACCOUNT-SURFACE 8)
        spec.pop("lifetime_budget", None)
    record = adsets.build(spec, adset_context(call, campaign), store.next_id())
    record.data["source_adset_id"] = str(source.id)
    store.insert(record)
    made = [copies.entry("ad_set", source, record)]
    if deep:
        for ad in _children(call, "Ad", adset_id=source.id):
            made.append(copies.entry("ad", ad, _copy_ad(call, ad, record, opts, None, top=False)))
    return record, made


def copy_ad(call: Call) -> tuple[int, Any]:
    params = call.params("ad.copy")
    source = call.node.record
    account = call.account
    assert source is not None and account is not None
    opts = copies.options(params, table("copies"))
    with call.state.store.transaction():
        adset = ads.parent_adset(params.get("adset_id", source.adset_id), account, call.lookup,
                                 call.state.registry.rules("ad"))
        record = _copy_ad(call, source, adset, opts, params.get("creative_parameters"), top=True)
    return 200, {"copied_ad_id": str(record.id)}


def _copy_ad(call: Call, source: Record, adset: Record, opts: dict[str, Any], overrides: Any, *, top: bool) -> Record:
    store, now, account = call.state.store, call.state.now(), call.state.account_for(source)
    assert account is not None
    table_ad = call.state.registry.rules("ad")
    creative = ads.existing_creative(source.data.get("creative_id"), account, call.lookup, table_ad)
    if isinstance(overrides, dict) and overrides:
        spec = adcreatives.creative_spec(call, {**copies.create_params(creative, _allowed(call, "adcreative.create")),
                                                **overrides})
        creative = adcreatives.create_creative(call, spec, account)
    spec = copies.create_params(source, _allowed(call, "ad.create"))
    spec.update(name=copies.name(source.data.get("name", ""), opts, top), status=copies.status(source, opts),
                adset_id=str(adset.id), creative={"creative_id": str(creative.id)})
    counted = ListQuery(ads.TYPE, account_id=account.account_id, adset_id=adset.id, statuses=_LIVE)
    ads.check_create(spec, AdContext(table_ad, ads_in_adset=lambda: store.count(counted)))
    record = ads.build(spec, adset, creative, store.next_id(), now, call.state.review_policy(account.id), table_ad)
    record.data["source_ad_id"] = str(source.id)
    store.insert(record)
    return record


ROUTES = {
    ("Campaign", "copies", "POST"): copy_campaign,
    ("AdSet", "copies", "POST"): copy_adset,
    ("Ad", "copies", "POST"): copy_ad,
}
