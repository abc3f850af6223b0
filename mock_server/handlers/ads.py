"""Ad endpoints (seed 000 steps 4-5; GRAPH-BEHAVIOUR 6, 11).

POST /act_<id>/ads, GET /act_<id>/ads, GET /<campaign_id>/ads, GET /<adset_id>/ads,
GET /<ad_id> (generic), POST /<ad_id> (seed 000's activation), DELETE /<ad_id>.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import ads
from mock_server.domain.rules.ad import AdContext
from mock_server.domain.world import AdAccount
from mock_server.handlers import adcreatives
from mock_server.handlers.call import Call
from mock_server.handlers.campaigns import check_time_range
from mock_server.handlers.nodes import delete, read, read_after_write
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.errors import GraphError


def _table(call: Call) -> dict[str, Any]:
    return call.state.registry.rules("ad")


def _validate_only(params: dict[str, Any]) -> bool:
    return "validate_only" in (params.get("execution_options") or [])


def _creative(call: Call, reference: Any, account: AdAccount, dry_run: bool) -> Record:
    """Seed 000: creative is {"creative_id": ...} or the spec of a new creative (created, or deduplicated)."""
    if not isinstance(reference, dict) or not reference:
        raise GraphError("ad_creative_required")
    if "creative_id" in reference:
        return ads.existing_creative(reference["creative_id"], account, call.lookup, _table(call))
    try:
        spec = adcreatives.creative_spec(call, reference)
        return adcreatives.create_creative(call, spec, account, dry_run=dry_run)
    except GraphError as error:
        raise _under_creative(error) from None


def _under_creative(error: GraphError) -> GraphError:
    """An inline creative's error names its field inside `creative` (`creative[object_story_spec][page_id]`)."""
    field = str(error.values.get("field", "")) or (error.blame[0][0] if error.blame else "")
    if not field:
        return error
    head, bracket, rest = field.partition("[")
    values = {k: v for k, v in error.values.items() if k != "field"}
    return GraphError(error.key, field=f"creative[{head}]" + (bracket + rest if bracket else ""), **values)


def create(call: Call) -> tuple[int, Any]:
    params = call.params("ad.create")
    account = call.account
    assert account is not None
    store, table, now = call.state.store, _table(call), call.state.now()
    dry_run = _validate_only(params)
    with store.transaction():
        adset = ads.parent_adset(params["adset_id"], account, call.lookup, table)
        counted = ListQuery(ads.TYPE, account_id=account.account_id, adset_id=adset.id, statuses=("ACTIVE", "PAUSED"))
        ads.check_create(params, AdContext(table, ads_in_adset=lambda: store.count(counted)))
        creative = _creative(call, params["creative"], account, dry_run)
        record = ads.build(params, adset, creative, store.next_id(), now, call.state.review_policy(account.id), table)
        if dry_run:
            return 200, {"success": True}
        store.insert(record)
    return 200, read_after_write(call, record.id, {"id": str(record.id)})


def update(call: Call) -> tuple[int, Any]:
    params = call.params("ad.update")
    record = call.node.record
    account = call.state.account_for(record) if record else None
    assert record is not None and account is not None
    store, table = call.state.store, _table(call)
    dry_run = _validate_only(params)
    with store.transaction():
        creative = (_creative(call, params["creative"], account, dry_run) if "creative" in params
                    else call.lookup(int(record.data["creative_id"])))
        ads.update(record, params, creative, call.state.now(), call.state.review_policy(account.id), table)
        if dry_run:
            return 200, {"success": True}
        store.update(record)
    return 200, read_after_write(call, record.id, {"success": True})


# -- lists ------------------------------------------------------------------------------------------
def list_for_account(call: Call) -> tuple[int, Any]:
    params = call.params("ad.list")
    account = call.account
    assert account is not None
    return 200, call.list_edge(params, _query(call, params, account_id=account.account_id), account.id, "ads")


def list_for_campaign(call: Call) -> tuple[int, Any]:
    params = call.params("ad.list")
    campaign = call.node.record
    assert campaign is not None
    query = _query(call, params, account_id=campaign.account_id, campaign_id=campaign.id)
    return 200, call.list_edge(params, query, str(campaign.id), "ads")


def list_for_adset(call: Call) -> tuple[int, Any]:
    params = call.params("ad.list")
    adset = call.node.record
    assert adset is not None
    query = _query(call, params, account_id=adset.account_id, adset_id=adset.id)
    return 200, call.list_edge(params, query, str(adset.id), "ads")


def _query(call: Call, params: dict[str, Any], **where: Any) -> ListQuery:
    check_time_range(params.get("time_range"), call.state.now)
    query = call.edge_query(ads.TYPE, effective=params.get("effective_status"), filters=params.get("filtering"), **where)
    since = params.get("updated_since")
    if since is None:
        return query
    inner = query.predicate

    def predicate(record: Record) -> bool:
        return record.data.get("updated_time", 0) >= since and (inner is None or inner(record))
    return ListQuery(query.type, query.account_id, query.campaign_id, query.adset_id, query.statuses, query.key, predicate)


ROUTES = {
    ("AdAccount", "ads", "POST"): create,
    ("AdAccount", "ads", "GET"): list_for_account,
    ("Campaign", "ads", "GET"): list_for_campaign,
    ("AdSet", "ads", "GET"): list_for_adset,
    ("Ad", None, "GET"): read,
    ("Ad", None, "POST"): update,
    ("Ad", None, "DELETE"): delete,
}
