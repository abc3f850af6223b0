"""`filtering` on insights (INSIGHTS.md 2.4): object filters (`campaign.id IN`, `ad.effective_status IN`,
`adset.name CONTAIN`, bare `objective`) pick the ads before delivery is summed; metric filters
(`impressions GREATER_THAN 0`, `ad.spend ...`) drop rows after; `action_type IN` limits the action lists."""

from __future__ import annotations

from typing import Any

from mock_server.domain import status as statuses
from mock_server.domain.insights.metrics import METRICS, Row
from mock_server.domain.insights.params import LEVEL_RANK, Query
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

_ENTITIES = ("ad", "adset", "campaign", "account")
_BARE_OBJECT = {"objective": ("campaign", "objective"), "campaign_id": ("campaign", "id"), "adset_id": ("adset", "id"),
                "ad_id": ("ad", "id"), "campaign_name": ("campaign", "name"), "adset_name": ("adset", "name"),
                "ad_name": ("ad", "name"), "optimization_goal": ("adset", "optimization_goal")}


def classify(field: str, rules: dict[str, Any]) -> tuple[str, str, str]:
    """('object', entity, attribute) | ('metric', '', metric) | ('action', '', '')."""
    if field == "action_type":
        return "action", "", ""
    if field in _BARE_OBJECT:
        entity, attribute = _BARE_OBJECT[field]
        return "object", entity, attribute
    head, _, tail = field.partition(".")
    if tail and head in _ENTITIES:
        if tail in METRICS:
            return "metric", head, tail
        if tail in rules["filter_entity_fields"] and head != "account":
            return "object", head, tail
    elif field in METRICS:
        return "metric", "", field
    raise GraphError("insights_filter_field", value=field)


def select_ads(query: Query, scope: Any, own_level: str, rules: dict[str, Any]) -> list[Record]:
    object_filters = []
    status_filtered: set[str] = set()
    for item in query.filtering:
        kind, entity, attribute = classify(item["field"], rules)
        if kind == "object":
            object_filters.append((entity, attribute, item["operator"], item["value"]))
            if attribute == "effective_status":
                status_filtered.add(entity)
    level = query.level
    hide_terminal = LEVEL_RANK[level] < LEVEL_RANK[own_level] and not status_filtered
    out = []
    for ad in scope.ads:
        chain = {"ad": ad, "adset": scope.parents.get(int(ad.adset_id or 0)),
                 "campaign": scope.parents.get(int(ad.campaign_id or 0))}
        if hide_terminal and level in chain and _status(scope, chain[level]) in statuses.HIDDEN_BY_DEFAULT:
            continue
        if all(_test(op, _attribute(scope, chain.get(entity), attribute), value)
               for entity, attribute, op, value in object_filters):
            out.append(ad)
    return out


def _status(scope: Any, record: Record | None) -> str | None:
    return None if record is None else scope.values(record).get("effective_status", record.status)


def _attribute(scope: Any, record: Record | None, attribute: str) -> Any:
    if record is None:
        return None
    if attribute == "id":
        return str(record.id)
    if attribute == "effective_status":
        return _status(scope, record)
    return record.data.get(attribute)


def metric_filters(query: Query) -> list[tuple[str, str, Any]]:
    out = []
    for item in query.filtering:
        head, _, tail = item["field"].partition(".")
        name = tail if tail else head
        if name in METRICS and (not tail or head in _ENTITIES):
            out.append((name, item["operator"], item["value"]))
    return out


def action_types(query: Query) -> set[str] | None:
    for item in query.filtering:
        if item["field"] == "action_type":
            value = item["value"]
            return {str(v) for v in value} if isinstance(value, list) else {str(value)}
    return None


def keep_row(row: Row, tests: list[tuple[str, str, Any]]) -> bool:
    for name, op, value in tests:
        raw = METRICS[name](row, {})
        number = float(raw) if isinstance(raw, str) else 0.0
        if not _test(op, number, value):
            return False
    return True


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _test(op: str, actual: Any, value: Any) -> bool:
    """One filter operator against one value (unknown combinations keep the object)."""
    if op in ("IN", "NOT_IN", "ANY", "ALL", "NONE", "CONTAINS_ANY", "CONTAINS_ALL", "NOT_CONTAINS_ANY"):
        wanted = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        have = {str(v.get("name", v.get("id", v))) if isinstance(v, dict) else str(v) for v in actual} \
            if isinstance(actual, list) else {str(actual)}
        hit = bool(have & wanted)
        if op in ("ALL", "CONTAINS_ALL"):
            return wanted <= have
        return hit if op in ("IN", "ANY", "CONTAINS_ANY") else not hit
    if op in ("EQUAL", "NOT_EQUAL"):
        a, b = _number(actual), _number(value)
        same = a == b if a is not None and b is not None else str(actual) == str(value)
        return same if op == "EQUAL" else not same
    if op in ("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "AFTER", "BEFORE",
              "ON_OR_AFTER", "ON_OR_BEFORE"):
        a, b = _number(actual), _number(value)
        if a is None or b is None:
            return False
        return {"GREATER_THAN": a > b, "AFTER": a > b, "GREATER_THAN_OR_EQUAL": a >= b, "ON_OR_AFTER": a >= b,
                "LESS_THAN": a < b, "BEFORE": a < b, "LESS_THAN_OR_EQUAL": a <= b, "ON_OR_BEFORE": a <= b}[op]
    if op in ("IN_RANGE", "NOT_IN_RANGE"):
        a = _number(actual)
        low, high = (_number(value[0]), _number(value[1])) if isinstance(value, list) and len(value) == 2 else (None, None)
        inside = a is not None and low is not None and high is not None and low <= a <= high
        return inside if op == "IN_RANGE" else not inside
    text, needle = str(actual or "").lower(), str(value or "").lower()
    if op in ("CONTAIN", "STEM_MATCH"):
        return needle in text
    if op == "NOT_CONTAIN":
        return needle not in text
    if op == "STARTS_WITH":
        return text.startswith(needle)
    if op == "ENDS_WITH":
        return text.endswith(needle)
    return True
