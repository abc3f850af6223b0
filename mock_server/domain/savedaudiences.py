"""Saved audiences (ACCOUNT-SURFACE 5.3): API read-only, so they come from the fixtures (`saved_audiences`) and are
stored as records on world load, like every other node a list edge pages."""

from __future__ import annotations

from typing import Any

from mock_server.store.repository import Record

TYPE = "SavedAudience"


def from_fixture(raw: dict[str, Any], now: float) -> Record:
    account_id = str(raw["ad_account_id"]).removeprefix("act_")
    data = {k: v for k, v in raw.items() if k not in ("id", "ad_account_id")}
    data.setdefault("time_created", int(now))
    data.setdefault("time_updated", data["time_created"])
    data.setdefault("run_status", "ACTIVE")
    return Record(id=int(raw["id"]), type=TYPE, account_id=account_id, status="ACTIVE", data=data, created=int(now))


def computed(record: Record, lookup: Any) -> dict[str, Any]:
    return {"account": {"id": f"act_{record.account_id}", "account_id": record.account_id},
            "updated_time": record.data.get("time_updated"),
            "operation_status": {"code": 200, "description": "Normal."},
            "permission_for_actions": {"can_edit": True, "can_see_insight": True, "can_share": True,
                                       "subtype_supports_lookalike": False, "supports_recipient_lookalike": False},
            "delete_time": 0, "page_deletion_marked_delete_time": 0}
