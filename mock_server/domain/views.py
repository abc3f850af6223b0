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


def _own_status(record: Record, lookup: Lookup) -> str:
    return record.status


def _account_id(record: Record, lookup: Lookup) -> str:
    return record.account_id


def _adset_effective_status(record: Record, lookup: Lookup) -> str:
    return statuses.derive(record.status, campaign=_status(lookup, record.campaign_id))


def _adset_campaign_id(record: Record, lookup: Lookup) -> Any:
    return str(record.campaign_id) if record.campaign_id else record.data.get("campaign_id")


def _ad_effective_status(record: Record, lookup: Lookup) -> str:
    return statuses.derive(record.status, _status(lookup, record.campaign_id), _status(lookup, record.adset_id),
                           review.state(record, clock.now())[0])


# Derived keys computed alone, as the view computes them (tests/test_cold_reads.py: equal to `values`' for every
# status and review state): `effective_status` is what a list's default filter asks of every candidate and what
# tests read after each change (with an ad set's `campaign_id`); the rest of the view (parents' categories,
# budgets, copies) is not built for them.
ALONE: dict[str, dict[str, Callable[[Record, Lookup], Any]]] = {
    "Campaign": {"configured_status": _own_status, "effective_status": _own_status},
    "AdSet": {"configured_status": _own_status, "effective_status": _adset_effective_status,
              "campaign_id": _adset_campaign_id},
    "Ad": {"configured_status": _own_status, "effective_status": _ad_effective_status},
}
EFFECTIVE_STATUS: dict[str, Callable[[Record, Lookup], Any]] = {
    node_type: alone["effective_status"] for node_type, alone in ALONE.items()}


def effective_of_own(node_type: str, scope: dict[str, Any], lookup: Lookup) -> Callable[[str], str] | None:
    """When a list's scope fixes every parent an object's effective_status reads, that status as a function of the
    object's own configured status alone (`EFFECTIVE_STATUS` of every object in scope equals it of its status); None
    otherwise. An ad set under one campaign (its edge, `adsets.limit(5){...}`) reads that campaign's status only; an
    ad also reads its review state (the clock), so it has none."""
    if node_type == "AdSet" and scope.get("campaign_id"):
        campaign = _status(lookup, scope["campaign_id"])
        return lambda own: statuses.derive(own, campaign=campaign)
    return None


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


Reading = tuple[tuple[str, Callable[[Record, Lookup], Any] | None], ...]


@lru_cache(maxsize=1024)
def alone(record_type: str, keys: frozenset[str]) -> Reading | None:
    """How to read `keys` without building the whole view: (key, its function in ALONE, or None for a key read as
    stored) each; None when one of them needs the view (or the type's view keys are not declared)."""
    derived_keys = derived(record_type)
    if derived_keys is None:
        return None
    functions = ALONE.get(record_type, {})
    if "account_id" not in COMPUTED.get(record_type, ()):  # `values` sets it from the record, no view replaces it
        functions = {**functions, "account_id": _account_id}
    reading = []
    for key in sorted(keys):
        if key not in derived_keys:
            reading.append((key, None))
        elif key in functions:
            reading.append((key, functions[key]))
        else:
            return None
    return tuple(reading)


def narrow(record: Record, lookup: Lookup, reading: Reading) -> dict[str, Any]:
    """The values of `reading`'s keys alone (`alone`), each equal to what `values` holds for it."""
    data = record.data
    out: dict[str, Any] = {}
    for key, function in reading:
        out[key] = data.get(key) if function is None else function(record, lookup)
    return out


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
