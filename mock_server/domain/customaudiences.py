"""Custom audiences (ACCOUNT-SURFACE 5.1, 5.2): customer-file audiences filled through `/users`, rule audiences,
and lookalikes.

People are counted from the unique valid rows added through `/users` (`data["members"]`, bounded); reads show
approximate bounds around that count, and `delivery_status` / `operation_status` derived from it. A lookalike
reads `-1` counts and operation_status 441 (populating) until `lookalike_populate_seconds` have passed on the
virtual clock.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from mock_server.domain import clock
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

TYPE = "CustomAudience"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NOT_STORED = frozenset({"enable_fetch_or_create", "execution_options"})
_STATUS_TEXT = {
    0: "Not available.", 200: "Normal.", 300: "This audience is too small to deliver ads.",
    410: "No upload: no people were added to this audience yet.", 441: "This lookalike audience is being populated.",
}


def build(params: dict[str, Any], account_id: str, object_id: int, now: float, table: dict[str, Any],
          origin: Record | None = None, tos_accepted: bool = True) -> Record:
    """A new audience from decoded params; `origin` is the lookalike's seed (already checked to be in the account)."""
    subtype = params.get("subtype") or table["default_subtype"]
    for field in ("rule", "lookalike_spec"):
        if field in params and params[field] is not None:
            _json_param(params, field)
    data: dict[str, Any] = {k: v for k, v in params.items() if k not in _NOT_STORED}
    data["subtype"] = subtype
    if subtype in table["customer_file_subtypes"] and not tos_accepted:
        raise GraphError("customaudience_tos", account=f"act_{account_id}")
    if subtype == "LOOKALIKE":
        data["lookalike_spec"] = _lookalike_spec(params, origin, table)
        data["origin_audience_id"] = str(origin.id) if origin else None
    data.setdefault("name", "")
    data.setdefault("description", "")
    data.setdefault("retention_days", 0 if "rule" not in params else 30)
    data.update({"time_created": int(now), "time_updated": int(now), "time_content_updated": int(now),
                 "members": [], "sessions": {}})
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, created=int(now),
                  key=_key(data))


def _key(data: dict[str, Any]) -> str:
    """What `enable_fetch_or_create` matches: an identical audience (name, subtype, rule)."""
    ident = json.dumps([data.get("name"), data.get("subtype"), data.get("rule"), data.get("lookalike_spec")],
                       sort_keys=True, default=str)
    return "ident:" + hashlib.sha1(ident.encode()).hexdigest()


def fetch_or_create_key(params: dict[str, Any], table: dict[str, Any]) -> str:
    data = dict(params)
    data["subtype"] = params.get("subtype") or table["default_subtype"]
    data.setdefault("name", "")
    return _key(data)


def update(record: Record, params: dict[str, Any], now: float) -> None:
    for field in ("rule", "lookalike_spec"):
        if params.get(field) is not None:
            _json_param(params, field)
    for key, value in params.items():
        if key not in _NOT_STORED:
            record.data[key] = value
    record.data["time_updated"] = int(now)
    record.key = _key(record.data)


def _json_param(params: dict[str, Any], field: str) -> Any:
    """`rule` and `lookalike_spec` are JSON text (ACCOUNT-SURFACE 5.1: 100/1713098 'Invalid rule JSON format')."""
    value = params[field]
    if isinstance(value, (dict, list)):
        params[field] = json.dumps(value, separators=(",", ":"))
        return value
    try:
        return json.loads(str(value))
    except (ValueError, RecursionError) as problem:
        key = "customaudience_rule_json" if field == "rule" else "customaudience_lookalike_spec"
        raise GraphError(key, field=field, detail=str(problem)) from None


def _lookalike_spec(params: dict[str, Any], origin: Record | None, table: dict[str, Any]) -> dict[str, Any]:
    """ACCOUNT-SURFACE 5.1 'Lookalike': {type: similarity|reach} or {ratio 0.01-0.20, starting_ratio} + country or
    location_spec."""
    if origin is None:
        raise GraphError("customaudience_lookalike_origin", field="origin_audience_id",
                         value=str(params.get("origin_audience_id", "")), account="this ad account")
    if params.get("lookalike_spec") is None:
        raise GraphError("customaudience_lookalike_spec", field="lookalike_spec", detail="lookalike_spec is required")
    spec = json.loads(params["lookalike_spec"])
    if not isinstance(spec, dict):
        raise GraphError("customaudience_lookalike_spec", field="lookalike_spec", detail="expected a JSON object")
    low, high = table["lookalike_ratio"]
    if "ratio" in spec:
        ratio = spec["ratio"]
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not low <= ratio <= high:
            raise GraphError("customaudience_lookalike_spec", field="lookalike_spec", detail=f"ratio must be between {low} and {high}")
    elif spec.get("type") not in ("similarity", "reach", "custom_ratio"):
        raise GraphError("customaudience_lookalike_spec", field="lookalike_spec", detail="give ratio or type (similarity, reach)")
    if not spec.get("country") and not spec.get("location_spec"):
        raise GraphError("customaudience_lookalike_spec", field="lookalike_spec", detail="give country or location_spec")
    ratio = spec.get("ratio") or {"similarity": 0.01, "reach": 0.05}.get(spec.get("type"), 0.01)
    countries = [spec["country"]] if spec.get("country") else list(
        (spec.get("location_spec") or {}).get("geo_locations", {}).get("countries", []))
    return {"ratio": ratio, "starting_ratio": spec.get("starting_ratio", 0.0), "type": spec.get("type", "custom_ratio"),
            "country": ",".join(countries), "target_countries": countries,
            "origin": [{"id": str(origin.id), "name": origin.data.get("name", ""), "type": "custom_audience"}]}


# -- /users --------------------------------------------------------------------------------------
def parse_payload(payload: Any, table: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """(schema keys, rows) of a `{schema, data}` payload; raises for a malformed payload as a whole."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            raise GraphError("customaudience_users_payload", field="payload", detail="not JSON") from None
    if not isinstance(payload, dict) or "schema" not in payload or "data" not in payload:
        raise GraphError("customaudience_users_payload", field="payload", detail="schema and data are required")
    schema, data = payload["schema"], payload["data"]
    if isinstance(schema, str):
        if schema not in table["single_schemas"]:
            raise GraphError("customaudience_users_payload", field="payload[schema]",
                             detail=f"schema must be one of {', '.join(table['single_schemas'])} or a list of keys")
        keys = [schema]
        rows = [[row] if not isinstance(row, list) else row for row in data] if isinstance(data, list) else None
    elif isinstance(schema, list) and schema and all(isinstance(k, str) for k in schema):
        unknown = [k for k in schema if k not in table["multi_keys"]]
        if unknown:
            raise GraphError("customaudience_users_payload", field="payload[schema]", detail=f"unknown keys {', '.join(unknown)}")
        keys = list(schema)
        rows = data if isinstance(data, list) and all(isinstance(r, list) for r in data) else None
    else:
        raise GraphError("customaudience_users_payload", field="payload[schema]", detail="schema must be a string or a list of keys")
    if rows is None:
        raise GraphError("customaudience_users_payload", field="payload[data]", detail="data must be a list of rows")
    if not rows:
        raise GraphError("customaudience_users_payload", field="payload[data]", detail="data is empty")
    if len(rows) > table["max_records_per_request"]:
        raise GraphError("customaudience_users_payload", field="payload[data]",
                         detail=f"at most {table['max_records_per_request']} records per request")
    for index, row in enumerate(rows):
        if len(row) != len(keys):
            raise GraphError("customaudience_users_payload", field=f"payload[data][{index}]",
                             detail=f"the row has {len(row)} values; the schema has {len(keys)} keys")
    return keys, rows


def check_row(keys: list[str], row: list[Any], table: dict[str, Any]) -> tuple[str | None, str | None]:
    """(member key, None) for a valid row, (None, reason) for an invalid one (ACCOUNT-SURFACE 5.2 hashing: SHA-256,
    lowercase hex, except EXTERN_ID, MADID and scoped ids)."""
    parts = []
    for key, value in zip(keys, row):
        text = "" if value is None else str(value)
        if text == "":
            continue
        if key in table["unhashed_keys"]:
            parts.append(f"{key}={text.lower() if key == 'MADID' else text}")
        elif not _SHA256.match(text):
            return None, f"{key} is not a lowercase SHA-256 hex digest"
        else:
            parts.append(f"{key}={text}")
    if not parts:
        return None, "every value of the row is empty"
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24], None


def apply_users(record: Record, keys: list[str], rows: list[list[Any]], session: dict[str, Any] | None, adding: bool,
                now: float, table: dict[str, Any]) -> dict[str, Any]:
    """Add or remove members; the response counts of ACCOUNT-SURFACE 5.2."""
    members = set(record.data.get("members") or [])
    invalid, samples = 0, {}
    for index, row in enumerate(rows):
        member, reason = check_row(keys, row, table)
        if member is None:
            invalid += 1
            if len(samples) < table["max_invalid_samples"]:
                samples[str(index)] = reason
            continue
        if adding:
            if len(members) < table["max_members_kept"]:
                members.add(member)
        else:
            members.discard(member)
    record.data["members"] = sorted(members)
    session = session if isinstance(session, dict) else {}
    sessions = dict(record.data.get("sessions") or {})
    count = int(record.data.get("session_count") or 0) + 1
    record.data["session_count"] = count
    session_id = str(session.get("session_id") or (record.id % 10**9) * 1000 + count)
    current = sessions.pop(session_id, None) or {"session_id": session_id, "start_time": int(now), "num_received": 0,
                                                   "num_invalid_entries": 0, "num_matched": 0}
    current["num_received"] += len(rows)
    current["num_invalid_entries"] += invalid
    current["num_matched"] += len(rows) - invalid
    current["end_time"] = int(now)
    current["stage"] = "finished" if session.get("last_batch_flag", True) else "uploading"
    sessions[session_id] = current
    while len(sessions) > table["max_sessions_kept"]:
        sessions.pop(next(iter(sessions)))
    record.data["sessions"] = sessions
    record.data["time_updated"] = record.data["time_content_updated"] = int(now)
    return {"audience_id": str(record.id), "session_id": session_id, "num_received": current["num_received"],
            "num_invalid_entries": current["num_invalid_entries"], "invalid_entry_samples": samples}


def sessions(record: Record) -> list[dict[str, Any]]:
    """GET /<ca_id>/sessions rows: every value a string (graph-surface-fields CustomAudienceSession)."""
    out = []
    for item in reversed(list((record.data.get("sessions") or {}).values())):
        out.append({"session_id": item["session_id"], "start_time": str(item["start_time"]),
                    "end_time": str(item["end_time"]), "num_received": str(item["num_received"]),
                    "num_matched": str(item["num_matched"]), "num_invalid_entries": str(item["num_invalid_entries"]),
                    "progress": "100" if item["stage"] == "finished" else "50", "stage": item["stage"]})
    return out


# -- reads ---------------------------------------------------------------------------------------
def computed(record: Record, lookup: Any, table: dict[str, Any]) -> dict[str, Any]:
    data = record.data
    now = clock.now()
    lookalike = data.get("subtype") == "LOOKALIKE"
    populating = lookalike and now < data["time_created"] + table["lookalike_populate_seconds"]
    if lookalike:
        size = -1 if populating else int(data["lookalike_spec"]["ratio"] * table["lookalike_reach_per_ratio_point"] * 100)
    else:
        size = len(data.get("members") or [])
    spread = table["count_spread"]
    lower, upper = (size, size) if size <= 0 else (math.floor(size * (1 - spread)), math.ceil(size * (1 + spread)))
    if populating:
        operation = 441
    elif data.get("subtype") in table["customer_file_subtypes"] and not data.get("sessions"):
        operation = 410
    else:
        operation = 200
    delivery = 200 if size >= table["min_deliverable"] else 300
    out: dict[str, Any] = {
        "approximate_count_lower_bound": lower, "approximate_count_upper_bound": upper,
        "operation_status": {"code": operation, "description": _STATUS_TEXT[operation]},
        "delivery_status": {"code": delivery, "description": _STATUS_TEXT[delivery]},
        "data_source": {"type": "FILE_IMPORTED" if data.get("subtype") == "CUSTOM" else "EVENT_BASED",
                        "sub_type": "HASHES" if data.get("subtype") == "CUSTOM" else "ANYTHING", "creation_params": "[]"},
        "permission_for_actions": {"can_edit": True, "can_see_insight": True, "can_share": True,
                                   "subtype_supports_lookalike": not lookalike, "supports_recipient_lookalike": False},
        "sharing_status": {"sharing_relationship_id": 0, "status": "NOT_SHARED"},
        "is_value_based": bool(data.get("is_value_based", False)), "is_snapshot": bool(data.get("is_snapshot", False)),
        "is_household": False, "fields_violating_integrity_policy": [], "is_eligible_for_sac_campaigns": True,
        "delete_time": 0, "page_deletion_marked_delete_time": 0,
        "members": None, "sessions": None,
    }
    if not lookalike:
        out["lookalike_audience_ids"] = data.get("lookalike_audience_ids", [])
    return out
