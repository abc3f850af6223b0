"""Ad set rules only a create is checked against (GRAPH-BEHAVIOUR 6.1, 8/11): the status it may be created with
and the campaign's room for one more ad set. Tables: `schemas/rules/adset.json` "creation_statuses", "limits".
Run by rules/adset.py's rule tuples like every other ad set rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.store.repository import ListQuery
from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext, Spec


def creation_status(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 6.1: 'Only ACTIVE and PAUSED are valid during creation.'"""
    status = spec.get("status")
    if ctx.existing is None and status not in ctx.table["creation_statuses"]:
        return GraphError("creation_status_invalid", value=status)
    return None


def campaign_adset_limit(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8/11 (M-CAMP Limits): 'Max 200 ad sets per campaign' (non-deleted ones; create only).

    The count names the campaign only: its ad sets are all in its account (an ad set is created, or copied, only
    under a campaign of its own account, and campaign_id never changes), and without account_id the store counts
    from its (type, campaign_id, status) index alone, not one table row per ad set (~3x cheaper at 150 ad sets)."""
    rule = ctx.table["limits"]
    if ctx.count is None or ctx.existing is not None:
        return None
    queries = ctx.tables.count_queries  # a frozen ListQuery costs ~1.5 us to build: one per campaign
    query = queries.get(ctx.campaign.id)
    if query is None:
        query = ListQuery("AdSet", campaign_id=ctx.campaign.id, statuses=tuple(rule["counted_statuses"]))
        queries.remember(ctx.campaign.id, query)
    count = ctx.count(query)
    if count >= rule["adsets_per_campaign"]:
        return GraphError("adset_campaign_limit", campaign_id=str(ctx.campaign.id), count=count,
                          limit=rule["adsets_per_campaign"])
    return None
