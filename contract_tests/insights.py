"""Hypothesis strategies for insights requests (INSIGHTS.md 2, 4, 6), read from schemas/rules/insights.json:
valid params in the encodings clients send, and labelled invalid ones with the error Graph answers.

    valid_insights_params(today)             -> dict of wire params (strings)
    invalid_insights_params(today)           -> (params, label, code)
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from mock_server.contract.registry import SchemaRegistry, default_registry

METRICS = ["impressions", "spend", "clicks", "reach", "frequency", "ctr", "cpc", "cpm", "cpp", "unique_clicks",
           "inline_link_clicks", "inline_link_click_ctr", "cost_per_inline_link_click", "actions", "action_values",
           "cost_per_action_type", "outbound_clicks", "video_p25_watched_actions", "video_play_actions",
           "quality_ranking", "purchase_roas"]
IDENTITY = {"account": ["account_id", "account_name", "account_currency"],
            "campaign": ["campaign_id", "campaign_name", "objective"],
            "adset": ["adset_id", "adset_name", "optimization_goal"], "ad": ["ad_id", "ad_name"]}
LABELS = {"unknown_field": 100, "breakdown_in_fields": 100, "breakdown_unknown": 100, "breakdown_combination": 100,
          "date_preset_invalid": 100, "time_range_empty": 100, "lookback": 3018, "time_increment_invalid": 100,
          "filter_field_unsupported": 100, "sort_two_elements": 100, "cursor_invalid": 2642}


def _rules(registry: SchemaRegistry | None) -> dict[str, Any]:
    return (registry or default_registry()).rules("insights")


def _listed(values: list[str]) -> st.SearchStrategy[str]:
    """A list as `a,b` or as a JSON array (Python async sends JSON arrays, INSIGHTS.md 1.4)."""
    return st.sampled_from([",".join(values), json.dumps(values)])


@st.composite
def valid_insights_params(draw: Any, today: date, *, levels: tuple[str, ...] = ("account", "campaign", "adset", "ad"),
                          registry: SchemaRegistry | None = None) -> dict[str, str]:
    rules = _rules(registry)
    level = draw(st.sampled_from(levels))
    fields = draw(st.lists(st.sampled_from(METRICS + IDENTITY[level]), min_size=1, max_size=6, unique=True))
    params: dict[str, str] = {"level": level, "fields": draw(_listed(fields))}
    window = draw(st.sampled_from(["preset", "range", "default"]))
    if window == "preset":
        params["date_preset"] = draw(st.sampled_from([p for p in rules["date_presets"]
                                                      if p not in ("maximum", "data_maximum", "last_year", "this_year")]))
    elif window == "range":
        start = today - timedelta(days=draw(st.integers(1, 60)))
        until = start + timedelta(days=draw(st.integers(0, 20)))
        params["time_range"] = json.dumps({"since": start.isoformat(), "until": min(until, today).isoformat()})
    combo = draw(st.sampled_from([[]] + [c for c in rules["combinations"]["with_actions"]
                                         if not set(c) & {"action_device", "action_type", "action_target_id", "product_id"}]))
    if combo:
        params["breakdowns"] = draw(_listed(list(combo)))
    params["time_increment"] = draw(st.sampled_from(["all_days", "1", "7", "monthly"]))
    if draw(st.booleans()):
        params["default_summary"] = "true"
    if draw(st.booleans()):
        params["action_attribution_windows"] = draw(_listed(["1d_click", "7d_click", "1d_view"]))
    if draw(st.booleans()):
        params["filtering"] = json.dumps([{"field": "impressions", "operator": "GREATER_THAN", "value": 0}])
    params["limit"] = str(draw(st.integers(1, 500)))
    return params


@st.composite
def invalid_insights_params(draw: Any, today: date, *, registry: SchemaRegistry | None = None
                            ) -> tuple[dict[str, str], str, int]:
    """Valid params with exactly one documented mistake; (params, label, expected code)."""
    params = draw(valid_insights_params(today, levels=("account",), registry=registry))
    params.pop("breakdowns", None)
    label = draw(st.sampled_from(sorted(LABELS)))
    if label == "unknown_field":
        params["fields"] = "impressions," + draw(st.sampled_from(["foo", "impresions", "spend_total"]))
    elif label == "breakdown_in_fields":
        params["fields"] = "impressions," + draw(st.sampled_from(["age", "gender", "country"]))
    elif label == "breakdown_unknown":
        params["breakdowns"] = draw(st.sampled_from(["placement", "ages", "device"]))
    elif label == "breakdown_combination":
        params["breakdowns"] = draw(st.sampled_from(["age,gender,country", "country,region", "impression_device",
                                                     "platform_position"]))
    elif label == "date_preset_invalid":
        params.pop("time_range", None)
        params["date_preset"] = draw(st.sampled_from(["lifetime", "last_2d", "forever"]))
    elif label == "time_range_empty":
        params["time_range"] = draw(st.sampled_from(["{}", '{"since":"2026-01-01"}', "[]"]))
    elif label == "lookback":
        params["time_range"] = json.dumps({"since": (today - timedelta(days=365 * 4)).isoformat(),
                                           "until": (today - timedelta(days=365 * 4 - 3)).isoformat()})
    elif label == "time_increment_invalid":
        params["time_increment"] = draw(st.sampled_from(["0", "91", "weekly"]))
    elif label == "filter_field_unsupported":
        params["filtering"] = json.dumps([{"field": draw(st.sampled_from(["app_id", "foo.bar"])), "operator": "IN",
                                           "value": ["1"]}])
    elif label == "sort_two_elements":
        params["sort"] = "spend_descending,impressions_ascending"
    elif label == "cursor_invalid":
        params["after"] = "not-a-cursor"
    return params, label, LABELS[label]
