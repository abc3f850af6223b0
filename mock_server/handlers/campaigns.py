"""Campaign endpoints (seed 004; seed 000 step 1).

POST /act_<id>/campaigns, GET /act_<id>/campaigns, DELETE /act_<id>/campaigns,
POST /<campaign_id>, DELETE /<campaign_id>; GET /<campaign_id> is generic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain import campaigns, timefmt
from mock_server.domain.delivery import history
from mock_server.domain.rules.campaign import RuleContext, check_editable
from mock_server.handlers.call import Call
from mock_server.handlers.nodes import delete, read, read_after_write
from mock_server.store.repository import ListQuery
from mock_server.wire.errors import GraphError

TIME_RANGE_MONTHS = 37


def create(call: Call) -> tuple[int, Any]:
    params = call.params("campaign.create")
    account = call.account
    assert account is not None
    store = call.state.store
    with store.transaction():
        record = campaigns.build(params, RuleContext(call.state.registry, account), store.next_id(), call.state.now())
        if "validate_only" in (params.get("execution_options") or []):
            return 200, {"success": True}
        store.insert(record)
    return 200, read_after_write(call, record.id, {"id": str(record.id)})


def update(call: Call) -> tuple[int, Any]:
    params = call.params("campaign.update")
    record = call.node.record
    account = call.state.account_for(record) if record else None
    assert record is not None and account is not None
    check_editable(record.status, params)
    store = call.state.store
    with store.transaction():
        campaigns.update(record, params, RuleContext(call.state.registry, account, record.data), call.state.now())
        if "validate_only" in (params.get("execution_options") or []):
            return 200, {"success": True}
        store.update(record)
    return 200, read_after_write(call, record.id, {"success": True})


def list_(call: Call) -> tuple[int, Any]:
    params = call.params("campaign.list")
    account = call.account
    assert account is not None
    check_time_range(params.get("time_range"), call.state.now)
    query = call.edge_query("Campaign", effective=params.get("effective_status"), filters=params.get("filtering"),
                            account_id=account.account_id)
    if "is_completed" in params:
        query = _completed(query, bool(params["is_completed"]), call.state.now())
    return 200, call.list_edge(params, query, account.id, "campaigns")


def delete_many(call: Call) -> tuple[int, Any]:
    """DELETE /act_<id>/campaigns with delete_strategy / object_count / before_date (seed 004 'Deleting')."""
    params = call.params("campaign.delete_edge")
    account = call.account
    assert account is not None
    strategy = params["delete_strategy"]
    before = params.get("before_date")
    if strategy == "DELETE_ARCHIVED_BEFORE" and before is None:
        raise GraphError("delete_strategy_before_date_required")
    statuses = ("ARCHIVED",) if strategy == "DELETE_ARCHIVED_BEFORE" else ("ACTIVE", "PAUSED", "ARCHIVED")
    query = ListQuery("Campaign", account_id=account.account_id, statuses=statuses,
                      predicate=(lambda r: r.created < before) if before is not None else None)
    candidates = list(call.state.store.iterate(query))
    if strategy == "DELETE_OLDEST":
        candidates.sort(key=lambda r: (r.created, r.id))
    count = params.get("object_count", len(candidates))
    chosen, left = candidates[:count], candidates[count:]
    now = int(call.state.now())
    with call.state.store.transaction():
        for record in chosen:
            before = history.snapshot(record)
            record.status = record.data["status"] = "DELETED"
            record.data["updated_time"] = now
            history.note(record, before, now)
            call.state.store.update(record)
    return 200, {"objects_left_to_delete_count": len(left), "deleted_object_ids": [str(r.id) for r in chosen]}


def check_time_range(time_range: dict[str, str] | None, now: Callable[[], float]) -> None:
    """Insights windows reach back 37 months. The clock is read only when a time_range is sent, so other list
    answers stay independent of time (mock_server/read_cache.py keeps only those)."""
    if not time_range:
        return
    since = timefmt.parse(time_range["since"])
    if since is not None and since < now() - TIME_RANGE_MONTHS * 30.44 * 86400:
        raise GraphError("time_range_too_old")


def _completed(query: ListQuery, wanted: bool, now: float) -> ListQuery:
    inner = query.predicate

    def predicate(record: Any) -> bool:
        stop = record.data.get("stop_time")
        done = bool(stop) and stop < now
        return done == wanted and (inner is None or inner(record))
    return ListQuery(query.type, query.account_id, query.campaign_id, query.adset_id, query.statuses, query.key, predicate)


ROUTES = {
    ("AdAccount", "campaigns", "POST"): create,
    ("AdAccount", "campaigns", "GET"): list_,
    ("AdAccount", "campaigns", "DELETE"): delete_many,
    ("Campaign", None, "GET"): read,
    ("Campaign", None, "POST"): update,
    ("Campaign", None, "DELETE"): delete,
}
