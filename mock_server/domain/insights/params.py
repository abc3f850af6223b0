"""Insights params, decoded in every encoding clients use and checked against schemas/rules/insights.json
(INSIGHTS.md 1.4, 2, 4.3, 6.2, 6.3). Produces a `Query`; raises GraphError with Graph's messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mock_server.domain.insights import dates
from mock_server.wire import relaxed_json
from mock_server.wire.errors import GraphError

LEVEL_RANK = {"ad": 0, "adset": 1, "campaign": 2, "account": 3}
NODE_LEVEL = {"Ad": "ad", "AdSet": "adset", "Campaign": "campaign", "AdAccount": "account"}


@dataclass
class Query:
    level: str
    fields: list[str]
    breakdowns: list[str]
    action_breakdowns: list[str]
    windows: list[dates.Window]  # one result set per window (time_ranges), else one
    increment: str | int
    filtering: list[dict[str, Any]] = field(default_factory=list)
    sort: tuple[str, bool] | None = None  # (field, descending)
    summary: list[str] | None = None
    attribution_windows: list[str] = field(default_factory=list)
    limit: int = 25
    after: int | None = None
    requested_range: dates.Window | None = None

    @property
    def span(self) -> dates.Window:
        return min(w[0] for w in self.windows), max(w[1] for w in self.windows)


def structured(value: Any) -> Any:
    """JSON / relaxed JSON text as a value; anything else unchanged."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return relaxed_json.loads(value.strip())[0]
        except (relaxed_json.RelaxedJSONError, ValueError, RecursionError):
            return None
    return value


def as_list(value: Any) -> list[str]:
    """`a,b`, `["a","b"]`, a list, or a dict folded from `a[0]=..` keys, as a list of strings."""
    value = structured(value)
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        value = [value[k] for k in sorted(value, key=lambda k: (len(str(k)), str(k)))]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _bool(value: Any) -> bool:
    return str(value).strip().strip('"').lower() in ("true", "1")


def parse(raw: dict[str, Any], node_type: str, rules: dict[str, Any], node_fields: set[str], today: date,
          method: str = "GET") -> Query:
    own_level = NODE_LEVEL[node_type]
    level = str(raw.get("level") or own_level).strip().strip('"')
    if level not in LEVEL_RANK:
        raise GraphError("insights_param_invalid", field="level", value=level)
    if LEVEL_RANK[level] > LEVEL_RANK[own_level]:
        level = own_level  # INSIGHTS.md 10.11 leaves "error (1/99?) or clamped" open: clamped, never a 500
    breakdowns = as_list(raw.get("breakdowns"))
    known = set(rules["breakdowns"])
    for name in breakdowns:
        if name not in known:
            raise GraphError("insights_breakdown_invalid", value=name)
    action_breakdowns = as_list(raw.get("action_breakdowns")) if "action_breakdowns" in raw else ["action_type"]
    for name in action_breakdowns:
        if name not in rules["action_breakdowns"]:
            raise GraphError("insights_action_breakdown_invalid", value=name)
    check_combination(breakdowns, action_breakdowns, rules["combinations"])
    fields = as_list(raw.get("fields")) or list(rules["default_fields" if method == "GET" else "default_fields_post"])
    bad = [f for f in fields if f not in node_fields or f in known]
    if bad:
        raise GraphError("insights_fields_invalid", fields=", ".join(bad), verb="is" if len(bad) == 1 else "are")
    windows, requested = _windows(raw, rules, today)
    increment = _increment(raw.get("time_increment"), rules)
    if "time_ranges" in raw:
        increment = "all_days"
    query = Query(level, fields, breakdowns, action_breakdowns, windows, increment, requested_range=requested)
    query.filtering = _filtering(raw.get("filtering"), rules)
    query.sort = _sort(raw.get("sort"), node_fields)
    if raw.get("summary") not in (None, "", "false") and not _bool(raw.get("summary")):
        query.summary = as_list(raw.get("summary"))
    elif _bool(raw.get("default_summary", False)) or _bool(raw.get("summary", False)):
        query.summary = fields
    windows_raw = as_list(raw.get("action_attribution_windows"))
    for name in windows_raw:
        if name not in rules["attribution_windows"]:
            raise GraphError("insights_param_invalid", field="action_attribution_windows", value=name)
    query.attribution_windows = windows_raw
    return query


def check_combination(breakdowns: list[str], action_breakdowns: list[str], table: dict[str, Any]) -> None:
    """INSIGHTS.md 4.3: the documented permutations; a lone unrestricted breakdown always works."""
    if not breakdowns:
        return
    restricted = set(table["restricted"])
    joinable = set(table["action_joinable"])
    explicit = [a for a in action_breakdowns if a != "action_type"]
    key = sorted(breakdowns)
    allowed = [sorted(s) for s in table["with_actions"]]
    ok = False
    if len(breakdowns) == 1 and breakdowns[0] not in restricted and len(set(explicit) - joinable) == 0:
        ok = True
    elif key in allowed and set(explicit) <= joinable:
        ok = True
    elif key in [sorted(s) for s in table["plain"]] and not explicit:
        ok = True
    if "impression_device" in breakdowns and len(breakdowns) == 1:
        ok = False
    if len(breakdowns) != len(set(breakdowns)):
        ok = False
    if not ok:
        columns = ", ".join(sorted(set(breakdowns) | set(action_breakdowns)))
        raise GraphError("insights_breakdown_combination", columns=columns)


def _day(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise GraphError("insights_time_range_invalid", field=where) from None


def _range(value: Any, where: str) -> dates.Window:
    value = structured(value)
    if not isinstance(value, dict) or not value.get("since") or not value.get("until"):
        raise GraphError("insights_time_range_invalid", field=where)
    since, until = _day(value["since"], where), _day(value["until"], where)
    if since > until:
        raise GraphError("insights_time_range_order", field=where)
    return since, until


def _windows(raw: dict[str, Any], rules: dict[str, Any], today: date) -> tuple[list[dates.Window], dates.Window | None]:
    floor = dates.months_before(today, rules["lookback_months"])
    if "time_ranges" in raw:
        value = structured(raw["time_ranges"])
        if isinstance(value, dict):
            value = [value[k] for k in sorted(value, key=lambda k: (len(str(k)), str(k)))]
        if not isinstance(value, list) or not value:
            raise GraphError("insights_time_range_invalid", field="time_ranges")
        if len(value) > rules["max_time_ranges"]:
            raise GraphError("insights_param_invalid", field="time_ranges", value=f"{len(value)} ranges")
        windows = [_range(item, "time_ranges") for item in value]
        requested = None
    elif "time_range" in raw:
        windows = [_range(raw["time_range"], "time_range")]
        requested = windows[0]
    else:
        name = str(raw.get("date_preset") or rules["default_date_preset"]).strip().strip('"')
        if name not in rules["date_presets"]:
            raise GraphError("insights_date_preset_invalid", values=", ".join(rules["date_presets"]))
        windows = [dates.preset(name, today, rules["lookback_months"])]
        requested = windows[0]
    if any(since < floor for since, _ in windows):
        raise GraphError("insights_lookback")
    return windows, requested


def _increment(value: Any, rules: dict[str, Any]) -> str | int:
    if value is None or value == "":
        return "all_days"
    text = str(value).strip().strip('"')
    if text in ("all_days", "monthly"):
        return text
    if text.isascii() and text.isdigit() and 1 <= int(text) <= rules["time_increment_max"]:
        return int(text)
    raise GraphError("insights_time_increment_invalid")


def _filtering(value: Any, rules: dict[str, Any]) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    value = structured(value)
    if isinstance(value, dict):
        value = [value[k] for k in sorted(value, key=lambda k: (len(str(k)), str(k)))]
    if not isinstance(value, list):
        raise GraphError("insights_filter_invalid")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("field"), str) or "operator" not in item:
            raise GraphError("insights_filter_invalid")
        operator = str(item["operator"]).upper()
        if operator not in rules["filter_operators"]:
            raise GraphError("insights_filter_invalid")
        if item["field"] in rules["filter_unsupported"]:
            raise GraphError("insights_filter_field", value=item["field"])
        out.append({"field": item["field"], "operator": operator, "value": structured(item.get("value"))})
    return out


def _sort(value: Any, node_fields: set[str]) -> tuple[str, bool] | None:
    items = as_list(value)
    if not items:
        return None
    if len(items) > 1:
        raise GraphError("insights_sort_invalid", value=",".join(items))
    text = items[0]
    descending = text.endswith("_descending")
    name = text.removesuffix("_descending").removesuffix("_ascending")
    base = name.split(":", 1)[0]
    if base not in node_fields:
        raise GraphError("insights_sort_invalid", value=text)
    return name, descending
