"""What a read returns for a stored object: its data plus the fields Graph derives.

Each node's domain module exposes `computed(record, lookup)`; `lookup` fetches
parent records (effective_status depends on parents).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain import adcreatives, adimages, adlabels, ads, adsets, adspixels, advideos, campaigns
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
