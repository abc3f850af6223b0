"""Delivery profiles: a test author's steering of synthetic delivery per object (docs/insights.md).

A profile is a small object (`no_delivery`, `daily_spend` in account-currency major units, `spend_multiplier`,
`impressions_multiplier`, `clicks_multiplier`, `conversion_rate`, `cpm`, `ctr`) set on an ad account,
campaign, ad set or ad; the nearest object's key wins. Profiles live in the store's meta (they survive a
restart, travel in snapshots and are cleared by a reset) like the other control state.
"""

from __future__ import annotations

from typing import Any

META_KEY = "delivery_profiles"
_NUMBERS = ("daily_spend", "spend_multiplier", "impressions_multiplier", "clicks_multiplier", "conversion_rate",
            "cpm", "ctr")


class Profiles:
    def __init__(self, document: dict[str, dict[str, Any]] | None) -> None:
        self.document = document or {}

    def own(self, object_id: Any) -> dict[str, Any]:
        return self.document.get(str(object_id), {})

    def resolve(self, account_id: str, campaign_id: int, adset_id: int, ad_id: int) -> dict[str, Any]:
        if not self.document:
            return {}
        merged: dict[str, Any] = {}
        for key in (account_id, campaign_id, adset_id, ad_id):
            merged.update(self.own(key))
        return merged


def check(profile: Any) -> dict[str, Any]:
    """A valid profile or ValueError naming the bad key (the control API answers 400)."""
    if not isinstance(profile, dict):
        raise ValueError("a delivery profile must be a JSON object")
    out: dict[str, Any] = {}
    for key, value in profile.items():
        if key == "no_delivery":
            if not isinstance(value, bool):
                raise ValueError("no_delivery must be true or false")
        elif key in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a number >= 0")
            if key in ("conversion_rate", "ctr") and value > 1:
                raise ValueError(f"{key} must be between 0 and 1")
        else:
            raise ValueError(f"unknown delivery profile key {key!r}; known: no_delivery, {', '.join(_NUMBERS)}")
        out[key] = value
    return out
