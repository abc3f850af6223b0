"""The ad account's pixel (ACCOUNT-SURFACE 5.3 'AdsPixel'): one per account; a second create is 6200."""

from __future__ import annotations

from typing import Any

from mock_server.store.repository import Record

TYPE = "AdsPixel"
_SNIPPET = ("<!-- Meta Pixel Code (graphmock) -->\n<script>\n!function(f,b,e,v,n,t,s){{}}(window, document,'script',"
            "'https://connect.facebook.net/en_US/fbevents.js');\nfbq('init', '{pixel_id}');\nfbq('track', 'PageView');\n"
            "</script>\n<!-- End Meta Pixel Code -->")


def build(params: dict[str, Any], account_id: str, object_id: int, now: float) -> Record:
    data = {"name": params.get("name") or f"Pixel {object_id}", "creation_time": int(now), "updated_time": int(now),
            "automatic_matching_fields": [], "enable_automatic_matching": False, "data_use_setting": "EMPTY",
            "first_party_cookie_status": "FIRST_PARTY_COOKIE_ENABLED"}
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, created=int(now))


def update(record: Record, params: dict[str, Any], now: float) -> None:
    record.data.update({k: v for k, v in params.items() if k != "server_events_business_ids"})
    record.data["updated_time"] = int(now)


def computed(record: Record, lookup: Any) -> dict[str, Any]:
    return {"code": _SNIPPET.format(pixel_id=record.id), "owner_ad_account": {"id": f"act_{record.account_id}",
            "account_id": record.account_id}, "is_unavailable": False, "is_created_by_business": False,
            "is_crm": False, "can_proxy": False, "is_restricted_use": False, "is_consolidated_container": False,
            "is_mta_use": False, "has_1p_pixel_event": False, "enable_auto_assign_to_accounts": False,
            "last_fired_time": None}
