"""Custom conversions (ACCOUNT-SURFACE 5.3): a rule over a pixel's events; `name` required."""

from __future__ import annotations

import json
from typing import Any

from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

TYPE = "CustomConversion"


def build(params: dict[str, Any], account_id: str, object_id: int, now: float, pixel: Record | None) -> Record:
    for field in ("rule", "advanced_rule"):
        if params.get(field) is not None:
            _check_json(params, field)
    data = {k: v for k, v in params.items() if k != "event_source_id"}
    data.setdefault("custom_event_type", "OTHER")
    data.setdefault("description", "")
    data["default_conversion_value"] = _cents(params.get("default_conversion_value", 0))
    data["pixel_id"] = str(pixel.id) if pixel else None
    data["creation_time"] = data["updated_time"] = int(now)
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, created=int(now))


def update(record: Record, params: dict[str, Any], now: float) -> None:
    for key, value in params.items():
        record.data[key] = _cents(value) if key == "default_conversion_value" else value
    record.data["updated_time"] = int(now)


def _cents(value: Any) -> int:
    """default_conversion_value is written as a float amount and read as an int (graph-surface-fields); one beyond
    a 64-bit integer (-3.97e194 is a valid JSON number) is an invalid parameter, never stored."""
    amount = round(float(value or 0))
    if not _INT64_MIN <= amount <= _INT64_MAX:
        raise GraphError("param_invalid", field="default_conversion_value", detail="beyond a 64-bit integer")
    return int(amount)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _check_json(params: dict[str, Any], field: str) -> None:
    value = params[field]
    if isinstance(value, (dict, list)):
        params[field] = json.dumps(value, separators=(",", ":"))
        return
    try:
        json.loads(str(value))
    except (ValueError, RecursionError) as problem:
        raise GraphError("param_invalid", field=field, detail=f"not JSON ({problem})") from None


def computed(record: Record, lookup: Any) -> dict[str, Any]:
    data = record.data
    pixel = {"id": data["pixel_id"]} if data.get("pixel_id") else None
    return {"pixel": pixel, "data_sources": [{"id": data["pixel_id"], "source_type": "PIXEL"}] if pixel else [],
            "event_source_type": "pixel" if pixel else None, "is_archived": record.status == "DELETED",
            "is_unavailable": False, "retention_days": 0, "first_fired_time": None, "last_fired_time": None}
