"""Ad set endpoints (seed 000 step 2; GRAPH-BEHAVIOUR 6-9, 11).

POST /act_<id>/adsets, GET /act_<id>/adsets, GET /<campaign_id>/adsets,
GET /<adset_id> (generic), POST /<adset_id>, DELETE /<adset_id>.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import adset_plans, adsets, budget_changes, review
from mock_server.domain.rules.adset import AdSetContext
from mock_server.handlers.call import Call
from mock_server.handlers.campaigns import check_time_range
from mock_server.handlers.nodes import delete, read, read_after_write
from mock_server.store.repository import ListQuery, Record


def _context(call: Call, campaign: Record, existing: Record | None = None, changed: set[str] | None = None,
             raw: dict[str, Any] | None = None) -> AdSetContext:
    """`raw`: the create's params as sent, when `params` decoded from them are the spec (not for a copy)."""
    account = call.account if existing is None else call.state.account_for(existing)
    assert account is not None
    return AdSetContext(call.state.registry, account, call.state.world, call.token, campaign, call.state.now(),
                        existing.data if existing is not None else None, frozenset(changed or ()),
                        count=call.state.store.count, version=call.version,
                        raw=raw)


def _validate_only(params: dict[str, Any]) -> bool:
    return "validate_only" in (params.get("execution_options") or [])


def create(call: Call) -> tuple[int, Any]:
    planned = adset_plans.recall(call)  # its shape, and its plan when one is at hand (domain/adset_plans.py)
    params = planned.params if planned.params is not None else call.params("adset.create")
    account = call.account
    assert account is not None
    store = call.state.store
    table = call.state.registry.rules("adset")
    with store.transaction():
        campaign, read_at = adsets.remembered_parent(params["campaign_id"], account, store, call.lookup, table)
        ctx = _context(call, campaign, raw=call.request.params)
        record = adset_plans.build(call, planned, params, ctx, store.next_id())
        if _validate_only(params):
            return 200, {"success": True}
        store.insert(record)
        adsets.parents_of(store).wrote(store, read_at)
    return 200, read_after_write(call, record.id, {"id": str(record.id)})


def update(call: Call) -> tuple[int, Any]:
    params = call.params("adset.update")
    record = call.node.record
    assert record is not None
    campaign = call.lookup(record.campaign_id) if record.campaign_id else None
    assert campaign is not None
    store = call.state.store
    limit = budget_changes.settings(call.state.registry.rules("budget_changes"),
                                    getattr(call.state.config, "budget_change_limit", None))
    with store.transaction():
        changes = budget_changes.check(record, params, call.state.now(), limit)
        adsets.update(record, params, _context(call, campaign, record, set(params)))
        if _validate_only(params):
            return 200, {"success": True}
        if changes is not None:
            record.data[budget_changes.KEY] = changes
        store.update(record)
        if review.resubmits("AdSet", params):
            _resubmit_ads(call, record)
    return 200, read_after_write(call, record.id, {"success": True})


def _resubmit_ads(call: Call, adset: Record) -> None:
    """GRAPH-BEHAVIOUR 6.4: targeting / optimization goal / billing edits send the ad set's ads back to review."""
    store, now = call.state.store, call.state.now()
    policy = call.state.review_policy(adset.account_id)
    for ad in list(store.iterate(ListQuery("Ad", account_id=adset.account_id, adset_id=adset.id))):
        review.on_material_change(ad, now, policy)
        store.update(ad)


def list_for_account(call: Call) -> tuple[int, Any]:
    params = call.params("adset.list")
    account = call.account
    assert account is not None
    query = _query(call, params, account_id=account.account_id)
    return 200, call.list_edge(params, query, account.id, "adsets")


def list_for_campaign(call: Call) -> tuple[int, Any]:
    params = call.params("adset.list")
    campaign = call.node.record
    assert campaign is not None
    query = _query(call, params, account_id=campaign.account_id, campaign_id=campaign.id)
    return 200, call.list_edge(params, query, str(campaign.id), "adsets")


def _query(call: Call, params: dict[str, Any], **where: Any) -> ListQuery:
    check_time_range(params.get("time_range"), call.state.now)
    query = call.edge_query("AdSet", effective=params.get("effective_status"), filters=params.get("filtering"), **where)
    tests = []
    if "is_completed" in params:
        wanted, now = bool(params["is_completed"]), call.state.now()
        tests.append(lambda r: (bool(r.data.get("end_time")) and r.data["end_time"] < now) == wanted)
    if params.get("updated_since") is not None:
        since = params["updated_since"]
        tests.append(lambda r: r.data.get("updated_time", 0) >= since)
    if not tests:
        return query
    inner = query.predicate

    def predicate(record: Record) -> bool:
        return all(test(record) for test in tests) and (inner is None or inner(record))
    return ListQuery(query.type, query.account_id, query.campaign_id, query.adset_id, query.statuses, query.key, predicate)


ROUTES = {
    ("AdAccount", "adsets", "POST"): create,
    ("AdAccount", "adsets", "GET"): list_for_account,
    ("Campaign", "adsets", "GET"): list_for_campaign,
    ("AdSet", None, "GET"): read,
    ("AdSet", None, "POST"): update,
    ("AdSet", None, "DELETE"): delete,
}
