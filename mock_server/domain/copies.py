"""Copies of campaigns, ad sets and ads (ACCOUNT-SURFACE 8): what a copy is made of, before the same builders
(and so the same rules) as a create turn it into a new record.

`status_option` sets the copies' status (PAUSED by default; INHERITED_FROM_SOURCE keeps the source's);
`rename_options` renames the top-level copy (ONLY_TOP_LEVEL_RENAME, default), every copy (DEEP_RENAME) or none,
with `rename_prefix` and `rename_suffix` (" - Copy" when no suffix is given).
"""

from __future__ import annotations

import json
from typing import Any

from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

_DERIVED = frozenset({"id", "account_id", "created_time", "updated_time", "review", "status", "configured_status",
                      "effective_status", "source_campaign_id", "source_adset_id", "source_ad_id"})


def create_params(source: Record, allowed: set[str]) -> dict[str, Any]:
    """The source's stored fields that its create accepts (internal form, as a create's decoded params)."""
    return {k: v for k, v in source.data.items() if k in allowed and k not in _DERIVED}


def options(params: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("rename_options") or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise GraphError("param_invalid", field="rename_options", detail="not JSON") from None
    if not isinstance(raw, dict):
        raise GraphError("param_invalid", field="rename_options", detail="expected an object")
    strategy = raw.get("rename_strategy", table["default_rename_strategy"])
    if strategy not in table["rename_strategies"]:
        raise GraphError("param_enum", field="rename_options[rename_strategy]", value=str(strategy),
                         allowed=", ".join(table["rename_strategies"]))
    suffix = raw.get("rename_suffix")
    return {"strategy": strategy, "prefix": str(raw.get("rename_prefix") or ""),
            "suffix": table["default_suffix"] if suffix is None and not raw.get("rename_prefix") else str(suffix or ""),
            "status_option": params.get("status_option", table["default_status_option"])}


def name(source_name: str, opts: dict[str, Any], top_level: bool) -> str:
    strategy = opts["strategy"]
    if strategy == "NO_RENAME" or (strategy == "ONLY_TOP_LEVEL_RENAME" and not top_level):
        return source_name
    return f"{opts['prefix']}{source_name}{opts['suffix']}"


def status(source: Record, opts: dict[str, Any]) -> str:
    option = opts["status_option"]
    if option == "INHERITED_FROM_SOURCE":
        return source.status if source.status in ("ACTIVE", "PAUSED") else "PAUSED"
    return str(option)


def entry(kind: str, source: Record, copy: Record) -> dict[str, str]:
    """One `ad_object_ids` item (ACCOUNT-SURFACE 8)."""
    return {"ad_object_type": kind, "source_id": str(source.id), "copied_id": str(copy.id)}


def shift_schedule(params: dict[str, Any], now: float) -> None:
    """'A finished ad set's copy will be scheduled to start at the creation's time with the same duration.'"""
    start, end = params.get("start_time"), params.get("end_time")
    if end and end <= now and start:
        params["start_time"], params["end_time"] = int(now), int(now) + (end - start)
    elif start and start < now:
        params["start_time"] = int(now)
