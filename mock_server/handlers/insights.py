"""Insights endpoints (INSIGHTS.md 1): GET/POST /<act|campaign|adset|ad>/insights, GET /<report_run_id>,
GET /<report_run_id>/insights, and the nested `insights{...}` field. Parse -> domain (delivery + report) ->
render; nothing is stored but async jobs."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from mock_server.domain.delivery.engine import Delivery
from mock_server.domain.delivery.profiles import META_KEY, Profiles
from mock_server.domain.insights import dates, jobs, params, report
from mock_server.handlers.call import Call
from mock_server.store.repository import ListQuery, Record
from mock_server.wire import paging
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec
from mock_server.wire.render import render_node

from mock_server.control.insights import FAILURES_KEY  # the failure queue the control API writes
_DROP = frozenset({"after", "before", "appsecret_proof", "limit"})


def rules(call_or_state: Any) -> dict[str, Any]:
    state = getattr(call_or_state, "state", call_or_state)
    return state.registry.rules("insights")


def _fields(call: Call) -> set[str]:
    return set(call.state.node_types["AdsInsights"].fields)


def delivery(state: Any, account: Any, now: float) -> Delivery:
    return Delivery(state.registry.rules("delivery"), state.registry.rules("currencies"), account,
                    int(state.config.seed or 0), now, Profiles(state.store.get_meta(META_KEY)))


def scope(call: Call, node_type: str, node_id: str, account: Any) -> report.Scope:
    store = call.state.store
    where: dict[str, Any] = {"account_id": account.account_id}
    if node_type == "Campaign":
        where["campaign_id"] = int(node_id)
    elif node_type == "AdSet":
        where["adset_id"] = int(node_id)
    ads = list(store.iterate(ListQuery("Ad", **where)))
    if node_type == "Ad":
        ads = [r for r in (store.get(int(node_id)),) if r is not None]
    parents: dict[int, Record] = {}
    for kind in ("Campaign", "AdSet"):
        for record in store.iterate(ListQuery(kind, account_id=account.account_id)):
            parents[record.id] = record
    ads.sort(key=lambda r: r.id)
    return report.Scope(ads, parents, call.values)


def compute(call: Call, node_type: str, node_id: str, raw: dict[str, Any], now: float, method: str = "GET",
            max_cells: int | None = None) -> tuple[params.Query, list[dict[str, Any]], dict[str, Any] | None]:
    account = call.account
    assert account is not None
    table = rules(call)
    query = params.parse(raw, node_type, table, _fields(call), report.today(account, now), method)
    query.limit = paging.parse_limit(raw.get("limit"), table["max_limit"])
    if method == "GET" and query.breakdowns and query.span[0] < dates.months_before(report.today(account, now),
                                                                                 table["reach_breakdown_months"]):
        # INSIGHTS.md 4.4: synchronous breakdown queries starting over 13 months ago omit reach, frequency, cpp
        query.fields = [f for f in query.fields if f not in ("reach", "frequency", "cpp")] or ["impressions"]
    engine = delivery(call.state, account, now)
    rows, summary = report.run(query, scope(call, node_type, node_id, account), engine, account, table,
                               params.NODE_LEVEL[node_type], max_cells or table["max_cells_sync"])
    return query, rows, summary


def encode_offset(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().replace("=", "ZD")


def decode_offset(cursor: Any) -> int:
    text = str(cursor).strip()
    pads = 0
    while text.endswith("ZD") and pads < 2:
        text, pads = text[:-2], pads + 1
    text += "=" * pads
    try:
        value = base64.b64decode(text.encode(), validate=True).decode()
        if value.isascii() and value.isdigit() and len(value) < 12:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise GraphError("insights_cursor_invalid")


def page(call: Call, rows: Any, summary: dict[str, Any] | None, raw: dict[str, Any], limit: int,
         link_base: str) -> dict[str, Any]:
    """Offset-cursor paging as Graph does for insights (INSIGHTS.md 3.1: MAZDZD = offset 0)."""
    start = decode_offset(raw["after"]) + 1 if raw.get("after") else 0
    chunk = rows[start:start + limit]
    body: dict[str, Any] = {"data": chunk}
    if chunk:
        cursors = {"before": encode_offset(start), "after": encode_offset(start + len(chunk) - 1)}
        paging_out: dict[str, Any] = {"cursors": cursors}
        if start + len(chunk) < len(rows):
            link = {k: v if isinstance(v, str) else _json(v) for k, v in raw.items() if k not in _DROP}
            if call.request.access_token:
                link["access_token"] = call.request.access_token
            link["limit"] = str(limit)
            paging_out["next"] = f"{link_base}?{urlencode(link)}&after={cursors['after']}"
        body["paging"] = paging_out
    if summary is not None:
        body["summary"] = summary
    return body


def _json(value: Any) -> str:
    import orjson
    return orjson.dumps(value).decode()


def _raw(call: Call) -> dict[str, Any]:
    return {k: v for k, v in call.request.params.items() if k not in ("access_token", "appsecret_proof", "method")}


# -- sync --------------------------------------------------------------------------------------------
def read(call: Call) -> tuple[int, Any]:
    raw = _raw(call)
    now = call.state.now()
    query, rows, summary = compute(call, call.node.type, call.node.id, raw, now)
    return 200, page(call, rows, summary, raw, query.limit, call.link_base(call.node.id, "insights"))


# -- async -------------------------------------------------------------------------------------------
def start(call: Call) -> tuple[int, Any]:
    raw = {k: v for k, v in _raw(call).items() if k not in ("async", "format")}
    now = call.state.now()
    account = call.account
    assert account is not None
    table = rules(call)
    query, _, _ = compute(call, call.node.type, call.node.id, raw, now, "POST", table["max_cells_async"])
    first, last = query.span
    store = call.state.store
    with store.transaction():
        failure = _take_failure(call.state, account.id) or _fault_failure(call, table)
        record = jobs.build(store.next_id(), account.account_id, call.node.id, call.node.type, raw, now,
                            (first.isoformat(), last.isoformat()), len(query.windows), failure, table)
        store.insert(record)
    return 200, {"report_run_id": str(record.id)}


def _take_failure(state: Any, act: str) -> dict[str, Any] | None:
    queue = state.store.get_meta(FAILURES_KEY) or []
    for index, item in enumerate(queue):
        if item.get("ad_account_id") in (None, act):
            item = dict(item)
            item["times"] = int(item.get("times", 1)) - 1
            rest = queue[:index] + ([item] if item["times"] > 0 else []) + queue[index + 1:]
            state.store.set_meta(FAILURES_KEY, rest)
            return {k: v for k, v in item.items() if k not in ("times", "ad_account_id")}
    return None


def _fault_failure(call: Call, table: dict[str, Any]) -> dict[str, Any] | None:
    """A `job_failed` fault (mock_server/access/faults.py) matching this POST fails the job it starts."""
    from mock_server import access as access_layer
    registry = access_layer.of(call.state).faults
    if not registry.active:
        return None
    fault = registry.match("POST", call.request.segments, lambda: call.account.id if call.account else None, job=True)
    if fault is None:
        return None
    failure = jobs.default_failure(table)
    error = fault.error or {}
    for key, target in (("code", "error_code"), ("error_subcode", "error_subcode"), ("message", "error_message")):
        if error.get(key) is not None:
            failure[target] = error[key]
    return failure


def run_node(call: Call) -> tuple[int, Any]:
    record = call.node.record
    assert record is not None
    values = jobs.values(record, call.state.now(), rules(call))
    specs = call.specs() or [FieldSpec(name) for name in values if name != "id"]
    node_type = call.state.node_types["AdReportRun"]
    return 200, render_node(node_type, values, specs, lambda spec, kind: None)


def run_rows(call: Call) -> tuple[int, Any]:
    record = call.node.record
    assert record is not None
    progress = jobs.progress(record, call.state.now(), rules(call))
    if progress["async_status"] != "Job Completed":
        raise GraphError("insights_job_not_ready")
    data = record.data
    raw = dict(data["params"])
    query, rows, summary = compute(call, data["node_type"], data["node_id"], raw, float(data["time_ref"]), "POST",
                                   rules(call)["max_cells_async"])
    paging_raw = {k: v for k, v in call.request.params.items() if k in ("after", "limit")}
    limit = paging.parse_limit(paging_raw.get("limit"), rules(call)["max_limit"])
    return 200, page(call, rows, summary, paging_raw, limit, call.link_base(str(record.id), "insights"))


# -- nested `insights{...}` -----------------------------------------------------------------------------
def nested(call: Call, node_type: str, node_id: str, spec: FieldSpec) -> dict[str, Any] | None:
    """`fields=insights.date_preset(last_7d).time_increment(1){impressions,spend}` (INSIGHTS.md 1.3).
    Omitted when there are no rows (10.10: the safe choice for clients guarding `insights?.data`)."""
    raw: dict[str, Any] = {k: v for k, v in spec.modifiers.items()}
    if spec.children:
        raw["fields"] = ",".join(child.name for child in spec.children)
    now = call.state.now()
    query, rows, summary = compute(call, node_type, node_id, raw, now)
    if not rows and summary is None:
        return None
    return page(call, rows, summary, raw, query.limit, call.link_base(node_id, "insights"))


def summary_of(call: Call, listed: ListQuery) -> dict[str, Any]:
    """`summary=insights` on /campaigns, /adsets, /ads: the insights (default window and fields) of the
    objects the edge lists, one row at the edge owner's level. The shape is not documented (INSIGHTS.md 10.1):
    an insights envelope, `{"data": [...]}`."""
    owner_type, owner_id = call.node.type, call.node.id
    raw: dict[str, Any] = {"level": params.NODE_LEVEL[owner_type]}
    kind = {"Campaign": "campaign", "AdSet": "adset", "Ad": "ad"}[listed.type]
    ids = [str(r.id) for r in call.state.store.iterate(listed)]
    raw["filtering"] = [{"field": f"{kind}.id", "operator": "IN", "value": ids}]
    if not ids:
        return {"data": []}
    _, rows, _ = compute(call, owner_type, owner_id, raw, call.state.now())
    return {"data": rows[:]}


ROUTES = {
    **{(node, "insights", "GET"): read for node in ("AdAccount", "Campaign", "AdSet", "Ad")},
    **{(node, "insights", "POST"): start for node in ("AdAccount", "Campaign", "AdSet", "Ad")},
    ("AdReportRun", None, "GET"): run_node,
    ("AdReportRun", "insights", "GET"): run_rows,
}
