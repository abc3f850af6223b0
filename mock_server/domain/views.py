"""What a read returns for a stored object: its data plus the fields Graph derives.

Each node's domain module exposes `computed(record, lookup)`; `lookup` fetches
parent records (effective_status depends on parents).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from mock_server.domain import adcreatives, adimages, adlabels, ads, adsets, adspixels, advideos, campaigns, clock, review
from mock_server.domain import status as statuses
from mock_server.domain import customaudiences, customconversions, savedaudiences
from mock_server.domain.assetrules import table as asset_table
from mock_server.store.repository import Record

Lookup = Callable[[int], Record | None]
View = Callable[[Record, Lookup], dict[str, Any]]

VIEWS: dict[str, View] = {
    "Campaign": lambda record, lookup: campaigns.computed(record),
    "AdSet": adsets.computed,
    "Ad": ads.computed,
    "AdCreative": adcreatives.computed,
    "AdImage": adimages.computed,
    "AdVideo": lambda record, lookup: advideos.computed(record, lookup, asset_table("video")),
    "CustomAudience": lambda record, lookup: customaudiences.computed(record, lookup, asset_table("custom_audience")),
    "CustomConversion": customconversions.computed,
    "AdsPixel": adspixels.computed,
    "SavedAudience": savedaudiences.computed,
}


# The keys each view sets or replaces, whatever the record (tests/test_cold_reads.py checks every key a view
# returns is named here). A read whose fields name none of them reads the stored data as it is (`derived`).
COMPUTED: dict[str, frozenset[str]] = {
    "Campaign": frozenset({"configured_status", "effective_status", "budget_remaining", "special_ad_category"}),
    "AdSet": frozenset({"configured_status", "effective_status", "budget_remaining", "campaign_id",
                        "special_ad_categories", "bid_strategy"}),
    "Ad": frozenset({"configured_status", "effective_status", "targeting", "special_ad_categories",
                     "ad_review_feedback", "issues_info"}),  # review.state's read fields
    "AdCreative": frozenset({"thumbnail_url", "object_story_spec"}),
}
_ALWAYS = frozenset({"id", "account_id"})


def _status(lookup: Lookup, parent_id: int | None) -> str | None:
    parent = lookup(parent_id) if parent_id else None
    return parent.status if parent is not None else None


# effective_status alone, derived as the view derives it (tests/test_cold_reads.py: equal to `values`' for every
# status and review state): a list's default filter asks it of every candidate, and a page rarely reads the rest.
EFFECTIVE_STATUS: dict[str, Callable[[Record, Lookup], str]] = {
    "AdSet": lambda record, lookup: statuses.derive(record.status, campaign=_status(lookup, record.campaign_id)),
    "Ad": lambda record, lookup: statuses.derive(record.status, _status(lookup, record.campaign_id),
                                                 _status(lookup, record.adset_id), review.state(record, clock.now())[0]),
}


@lru_cache(maxsize=64)
def derived(record_type: str) -> frozenset[str] | None:
    """Every key `values` may set or replace for this type, beyond the stored data; None when not declared (a
    view without a COMPUTED entry): then only `values` knows. Any other key reads as `record.data` holds it."""
    if record_type in VIEWS:
        keys = COMPUTED.get(record_type)
        if keys is None:
            return None
    else:
        keys = frozenset({"account"}) if record_type == adlabels.TYPE else frozenset()
    return _ALWAYS | keys | ({"adlabels"} if record_type in adlabels.LABELLED else frozenset())


def values(record: Record, lookup: Lookup) -> dict[str, Any]:
    out = dict(record.data)
    out["id"] = str(record.id)
    out["account_id"] = record.account_id
    view = VIEWS.get(record.type)
    if view is not None:
        out.update(view(record, lookup))
    if out.get("adlabels") and record.type in adlabels.LABELLED:
        out["adlabels"] = adlabels.view(out["adlabels"], lookup)
    if record.type == adlabels.TYPE:
        out["account"] = {"id": f"act_{record.account_id}"}
    return out
