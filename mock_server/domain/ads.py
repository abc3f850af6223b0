"""Ads: resolve the ad set and creative, build and update the stored ad, derive effective_status.

An ad carries its campaign and ad set (seed 000: GET fields=status,adset_id,campaign_id).
`effective_status` is derived on every read from the ad's own status, its
parents' and its review (`mock_server.domain.review`), so it cannot go stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain import clock, review
from mock_server.domain import status as statuses
from mock_server.domain.delivery import history
from mock_server.domain.review import ReviewPolicy
from mock_server.domain.rules.ad import CREATE_RULES, UPDATE_RULES, AdContext, check
from mock_server.domain.world import AdAccount
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError
from mock_server.wire.limits import ascii_digits

TYPE = "Ad"
_MAX_ID = 2**63 - 1
Lookup = Callable[[int], Record | None]


def _get(lookup: Lookup, value: Any) -> Record | None:
    text = str(value)
    return lookup(int(text)) if ascii_digits(text) and int(text) <= _MAX_ID else None


def parent_adset(adset_id: Any, account: AdAccount, lookup: Lookup, table: dict[str, Any]) -> Record:
    """Seed 000: 'The ID of the ad set' — a live ad set of the same ad account."""
    record = _get(lookup, adset_id)
    reason = None
    if record is None or record.type != "AdSet" or record.account_id != account.account_id:
        reason = "is not an ad set id of this ad account"  # the same words for another account's object: no leak
    elif record.status not in table["live_adset_statuses"]:
        reason = f"is a {record.status} ad set"
    if reason is not None:
        raise GraphError("ad_adset_invalid", value=str(adset_id), reason=reason, account=account.id)
    assert record is not None
    return record


def existing_creative(creative_id: Any, account: AdAccount, lookup: Lookup, table: dict[str, Any],
                      field: str = "creative[creative_id]") -> Record:
    """Seed 000: creative={"creative_id": ...} names a live creative of the same ad account."""
    record = _get(lookup, creative_id)
    reason = None
    if record is None or record.type != "AdCreative" or record.account_id != account.account_id:
        reason = "is not an ad creative id of this ad account"  # the same words for another account's object: no leak
    elif record.status not in table["live_creative_statuses"]:
        reason = f"is a {record.status} creative"
    if reason is not None:
        raise GraphError("ad_creative_invalid", field=field, value=str(creative_id), reason=reason, account=account.id)
    assert record is not None
    return record


def check_create(params: dict[str, Any], ctx: AdContext) -> None:
    check(CREATE_RULES, params, ctx)


def build(params: dict[str, Any], adset: Record, creative: Record, object_id: int, now: float,
          policy: ReviewPolicy, table: dict[str, Any]) -> Record:
    """A new ad under `adset` using `creative`; created ACTIVE it goes to review (GRAPH-BEHAVIOUR 6.4)."""
    data = {k: v for k, v in params.items() if k not in table["not_stored"]}
    data.update({"adset_id": str(adset.id), "campaign_id": str(adset.campaign_id), "creative_id": str(creative.id),
                 "created_time": int(now), "updated_time": int(now)})
    record = Record(id=object_id, type=TYPE, account_id=adset.account_id, status=data["status"], data=data,
                    campaign_id=adset.campaign_id, adset_id=adset.id, created=int(now))
    review.on_create(record, now, policy, creative_texts(creative))
    return record


def update(record: Record, params: dict[str, Any], creative: Record | None, now: float, policy: ReviewPolicy,
           table: dict[str, Any]) -> None:
    """Apply POST /<AD_ID> (`creative`: the ad's creative after the update); a new creative or an activation
    (re)submits the ad for review with that creative's texts (GRAPH-BEHAVIOUR 6.4)."""
    check(UPDATE_RULES, params, AdContext(table, record))
    previous = record.status
    before = history.snapshot(record)
    changed: set[str] = {k for k in params if k not in ("execution_options", "fields", "creative")}
    for key, value in params.items():
        if key not in table["not_stored"]:
            record.data[key] = value
    if creative is not None and str(creative.id) != record.data.get("creative_id"):
        record.data["creative_id"] = str(creative.id)
        changed.add("creative")
    record.status = record.data.get("status", record.status)
    record.data["updated_time"] = int(now)
    history.note(record, before, now)  # delivery replays status changes
    review.on_update(record, previous, changed, now, policy, creative_texts(creative) if creative is not None else None)


def creative_texts(creative: Record) -> list[str]:
    """The text the review policy reads (banned terms), from the creative's own spec."""
    return review.creative_texts(creative.data)


def computed(record: Record, lookup: Lookup) -> dict[str, Any]:
    """effective_status from own, campaign, ad set and review state (seed 000: ACTIVE + in review -> PENDING_REVIEW)."""
    campaign = lookup(record.campaign_id) if record.campaign_id else None
    adset = lookup(record.adset_id) if record.adset_id else None
    own_state, review_fields = review.state(record, clock.now())
    out: dict[str, Any] = {
        "configured_status": record.status,
        "effective_status": statuses.derive(record.status, campaign.status if campaign else None,
                                            adset.status if adset else None, own_state),
        **review_fields,
    }
    if adset is not None and adset.data.get("targeting") is not None:
        out["targeting"] = adset.data["targeting"]
    if campaign is not None:
        out["special_ad_categories"] = campaign.data.get("special_ad_categories") or []
    return out
